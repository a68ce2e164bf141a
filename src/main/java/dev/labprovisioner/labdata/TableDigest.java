package dev.labprovisioner.labdata;

/** A learner table as the data checks see it: row count and an MD5 of its rows (sorted as text). */
public record TableDigest(String table, long rows, String checksum) {
}
