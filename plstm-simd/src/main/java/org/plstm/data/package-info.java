/**
 * Your own event data: {@link org.plstm.data.EventCsvReader} streams a CSV file of timestamped events (one row per
 * event: sequence id, timestamp, features, label) into {@link org.plstm.data.EventSequence}s with a bounded memory
 * budget; {@link org.plstm.data.DataSplit} splits them by sequence, seeded; {@link org.plstm.data.Standardizer}
 * holds per-feature (and regression target) statistics fitted on the training split; {@link org.plstm.data.Labels}
 * maps label strings to class indices. {@link org.plstm.data.EventSequence#toLabeled} feeds
 * {@link org.plstm.train.Fit}.
 */
package org.plstm.data;
