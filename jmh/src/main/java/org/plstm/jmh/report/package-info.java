/**
 * The performance report: {@link org.plstm.jmh.report.PerformanceReport} turns JMH's JSON results and the machine
 * record ({@link org.plstm.jmh.report.MachineInfo}, written by {@link org.plstm.jmh.report.MachineProbe}) into
 * {@code docs/PERFORMANCE.md} and a chart ({@link org.plstm.jmh.report.PerformanceChart}); the metrics and targets
 * are in {@link org.plstm.jmh.report.PerformanceData} and {@link org.plstm.jmh.report.Targets}. The one command
 * that runs the suite and renders the report is {@code jmh/report.sh} (see {@code jmh/README.md}).
 */
package org.plstm.jmh.report;
