/**
 * The performance report: {@link org.plstm.jmh.report.PerformanceReport} turns JMH's JSON results and the machine
 * records ({@link org.plstm.jmh.report.MachineInfo}, written by {@link org.plstm.jmh.report.MachineProbe}) of one or
 * more instruction levels ({@link org.plstm.jmh.report.IsaLevel}: one results subdirectory each, read by
 * {@link org.plstm.jmh.report.LevelRun}) into {@code docs/PERFORMANCE.md} and a chart
 * ({@link org.plstm.jmh.report.PerformanceChart}); the metrics and targets are in
 * {@link org.plstm.jmh.report.PerformanceData} and {@link org.plstm.jmh.report.Targets}. The one command that runs
 * the suite and renders the report is {@code jmh/report.sh} (see {@code jmh/README.md}).
 */
package org.plstm.jmh.report;
