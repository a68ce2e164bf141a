package dev.labprovisioner.database;

import io.quarkus.logging.LoggingFilter;

import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Keeps the database's going away out of the log but for {@link DatabaseAvailability}'s one line: the transaction
 * manager and others log a warning with a stack trace for every transaction the lost connection broke, hundreds in an
 * outage under load. A record whose exception is not about a lost database is kept, whatever its logger.
 */
@LoggingFilter(name = "database-outage")
public final class DatabaseOutageLogFilter implements Filter {

    @Override
    public boolean isLoggable(LogRecord record) {
        return record.getThrown() == null || record.getLevel().intValue() > Level.SEVERE.intValue()
                || !DatabaseOutages.isOutage(record.getThrown());
    }
}
