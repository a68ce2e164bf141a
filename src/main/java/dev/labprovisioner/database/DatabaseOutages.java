package dev.labprovisioner.database;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Tells the errors of a database that has gone away (refused, dropped or timed-out connections, a server shutting
 * down or starting up) from every other error: those are answered 503 and retried, never logged as a bug.
 */
public final class DatabaseOutages {

    private DatabaseOutages() {
    }

    /**
     * True if {@code t}, one of its causes, or an exception suppressed along the way (a failed commit's driver error
     * is one, under the transaction manager's RollbackException) says the database cannot be reached just now.
     */
    public static boolean isOutage(Throwable t) {
        return isOutage(t, new IdentityHashMap<>());
    }

    private static boolean isOutage(Throwable t, Map<Throwable, Boolean> seen) {
        for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException
                    || c instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            if (c instanceof SQLException sql && (lostConnection(sql.getSQLState()) || agroalTimedOut(sql))) {
                return true;
            }
            for (Throwable suppressed : c.getSuppressed()) {
                if (isOutage(suppressed, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Class 08 (connection exception); 57P01-57P03: the server is shutting down, crashed, or not accepting connections yet. */
    private static boolean lostConnection(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"));
    }

    /** Agroal says so in words only (a plain SQLException): no connection came within the acquisition timeout. */
    private static boolean agroalTimedOut(SQLException e) {
        String message = e.getMessage();
        return message != null && (message.startsWith("Acquisition timeout") || message.startsWith("Sorry, acquisition timeout"));
    }

    /** One line about the error for the log: its innermost message, which names the server but holds no credential. */
    static String brief(Throwable t) {
        Throwable innermost = t;
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
            if (c.getMessage() != null) {
                innermost = c;
            }
        }
        String message = innermost.getMessage() == null ? innermost.getClass().getSimpleName() : innermost.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
