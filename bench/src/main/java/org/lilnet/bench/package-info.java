/**
 * Benchmarks of LiLNet Stream. Each prints its figures next to a baseline measured in the same run, and the ratio
 * between them: absolute numbers depend on the machine, ratios hold across machines. One package per area
 * ({@code ingest}, {@code workers}, ...), one {@code main} per benchmark.
 */
package org.lilnet.bench;
