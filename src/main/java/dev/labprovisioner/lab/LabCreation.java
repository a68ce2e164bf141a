package dev.labprovisioner.lab;

import dev.labprovisioner.problem.ProblemException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The create call's one transaction, in plain JDBC: an LMS waits on this call (a learner clicked "start"),
 * so its path holds no ORM session, flush or JTA transaction, only the statements themselves (inside a
 * caller's JTA transaction it joins that one instead). A new lab
 * costs one statement, or two with an Idempotency-Key. Every rule it enforces is the database's: the
 * partial unique index on a learner's live lab, and the key's primary key.
 */
@ApplicationScoped
class LabCreation {

    /** {@link LabState#LIVE} as SQL; also the predicate of the partial unique index the insert meets (V1__labs.sql). */
    private static final String LIVE_STATES = LabState.LIVE.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", "));
    /** A new lab and its first event, in one statement; nothing when the learner already has a live lab like it. */
    private static final String INSERT = """
                WITH created AS (
                    INSERT INTO labs (id, namespace, owner, learner_id, course_id, template, template_version, state,
                                      created_at, updated_at, expires_at, next_attempt_at, attempts, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'REQUESTED', ?, ?, ?, ?, 0, 0)
                    ON CONFLICT (owner, learner_id, course_id, template)
                        WHERE state IN (%s) DO NOTHING
                    RETURNING id, created_at)
                INSERT INTO lab_events (lab_id, at, from_state, to_state, cause)
                SELECT id, created_at, NULL, 'REQUESTED', ? FROM created""".formatted(LIVE_STATES);

    private final AgroalDataSource dataSource;

    LabCreation(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** An Idempotency-Key with the fingerprint of the request that came with it. */
    record Key(String value, String fingerprint) {
    }

    /** The lab the create answers with, and whether this call made it. */
    record Outcome(UUID labId, boolean inserted) {
    }

    /**
     * Writes {@code lab} and its first event, unless the key was used before or the learner already has a live
     * lab of this template in this course: then that lab is the answer. A problem thrown here rolls everything
     * back, so a refused create leaves nothing behind.
     */
    Outcome create(Lab lab, String cause, Optional<Key> key) {
        try (Connection c = dataSource.getConnection()) {
            if (QuarkusTransaction.isActive()) {
                // A caller's transaction (a roster, a reset): the statements are part of it, and so is any rollback.
                return create(c, lab, cause, key);
            }
            if (key.isEmpty()) {
                // Without a key, every statement stands alone: a new lab is one statement and one round trip.
                return create(c, lab, cause, key);
            }
            c.setAutoCommit(false);
            try {
                Outcome outcome = create(c, lab, cause, key);
                c.commit();
                return outcome;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the new lab", e);
        }
    }

    private Outcome create(Connection c, Lab lab, String cause, Optional<Key> key) throws SQLException {
        if (key.isPresent()) {
            Optional<UUID> earlier = labForKey(c, lab.owner, key.get());
            if (earlier.isPresent()) {
                return new Outcome(earlier.get(), false);
            }
        }
        boolean inserted = insert(c, lab, cause);
        UUID labId = inserted ? lab.id : liveLab(c, lab).orElseThrow(
                () -> ProblemException.conflict("The learner's live lab changed state during this request; try again."));
        if (key.isPresent() && !storeKey(c, lab.owner, key.get(), labId)) {
            // Another request stored the key first: it wins, and this one answers as it would have.
            UUID other = labForKey(c, lab.owner, key.get()).orElseThrow();
            if (!other.equals(labId)) {
                throw ProblemException.conflict("Idempotency-Key '" + key.get().value() + "' was used concurrently for another lab.");
            }
            return new Outcome(other, false);
        }
        return new Outcome(labId, inserted);
    }

    /**
     * The partial unique index makes concurrent identical creates meet here: one inserts, the rest wait for it
     * and insert nothing. The lab's first event is written by the same statement.
     */
    private static boolean insert(Connection c, Lab lab, String cause) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            OffsetDateTime now = time(lab.createdAt);
            s.setObject(1, lab.id);
            s.setString(2, lab.namespace);
            s.setString(3, lab.owner);
            s.setString(4, lab.learnerId);
            s.setString(5, lab.courseId);
            s.setString(6, lab.template);
            s.setInt(7, lab.templateVersion);
            s.setObject(8, now);
            s.setObject(9, time(lab.updatedAt));
            s.setObject(10, time(lab.expiresAt));
            s.setObject(11, time(lab.nextAttemptAt));
            s.setString(12, cause);
            return s.executeUpdate() == 1;
        }
    }

    private static Optional<UUID> liveLab(Connection c, Lab lab) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM labs WHERE owner = ? AND learner_id = ? AND course_id = ? AND template = ? "
                + "AND state IN (" + LIVE_STATES + ")")) {
            s.setString(1, lab.owner);
            s.setString(2, lab.learnerId);
            s.setString(3, lab.courseId);
            s.setString(4, lab.template);
            try (var rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    /** The lab a key was first used for; 422 if it came with another request body. */
    private static Optional<UUID> labForKey(Connection c, String owner, Key key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT lab_id, request_fingerprint FROM idempotency_keys WHERE owner = ? AND idempotency_key = ?")) {
            s.setString(1, owner);
            s.setString(2, key.value());
            try (var rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!key.fingerprint().equals(rs.getString(2))) {
                    throw ProblemException.unprocessable("Idempotency-Key '" + key.value() + "' was already used with a different request body.");
                }
                return Optional.of(rs.getObject(1, UUID.class));
            }
        }
    }

    /** False if another request stored the same key first (it waited for that one to commit). */
    private static boolean storeKey(Connection c, String owner, Key key, UUID labId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO idempotency_keys (owner, idempotency_key, lab_id, request_fingerprint, created_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            s.setString(1, owner);
            s.setString(2, key.value());
            s.setObject(3, labId);
            s.setString(4, key.fingerprint());
            s.setObject(5, time(Instant.now()));
            return s.executeUpdate() == 1;
        }
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
