// Tiny helpers shared by the interop scripts.
export function parseArgs(argv, required) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      console.error(`bad argument ${argv[i]}`);
      process.exit(64);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of required) {
    if (args[name] === undefined) {
      console.error(`missing --${name}`);
      process.exit(64);
    }
  }
  return args;
}

// JSON with BigInt as numbers and Buffers as base64, so that Java can compare every field.
export function toJson(value) {
  return JSON.stringify(value, (_, v) => {
    if (typeof v === 'bigint') return Number(v);
    if (v && v.type === 'Buffer' && Array.isArray(v.data)) return Buffer.from(v.data).toString('base64');
    if (v instanceof Date) return v.getTime();
    return v;
  });
}
