package org.lilnet.launcher;

import org.lilnet.common.ops.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lilnet} command. {@code bin/lilnet} builds the project if needed and runs this class. */
@Command(name = "lilnet", mixinStandardHelpOptions = true, version = "lilnet 0.1.0",
        description = "LiLNet Stream: liver-lesion diagnosis from CT studies, on Kafka.",
        subcommands = {RunCommand.class, StackCommand.class, PhantomCommand.class, IngestCommand.class, EvalCommand.class,
                ConfigDocsCommand.class,
                CommandLine.HelpCommand.class})
public final class Lilnet implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        Logging.init("lilnet");
        System.exit(new CommandLine(new Lilnet()).execute(args));
    }
}
