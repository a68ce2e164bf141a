package dev.labprovisioner.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labprovisioner.labdata.TableDigest;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Checkpoint results, every validation, and data baselines, in the service's own database. */
@ApplicationScoped
public class CheckpointRecords {

    private static final String RESULT_COLUMNS = "checkpoint_id, status, attempts, passed_at, message, evidence, last_validated_at";

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;

    CheckpointRecords(AgroalDataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** One validation of one checkpoint: what {@link #record} writes. */
    public record Validation(String checkpointId, Verdict verdict, boolean acted, Instant at) {
    }

    public Optional<Baseline> baseline(UUID labId) {
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT taken_at, pod_name, pod_uid, claim_uids, tables FROM data_baselines WHERE lab_id = ?")) {
            q.setObject(1, labId);
            try (var rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Baseline(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                        json.readValue(rs.getString(4), new TypeReference<Map<String, String>>() { }),
                        json.readValue(rs.getString(5), new TypeReference<List<TableDigest>>() { })));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Cannot read the data baseline of lab " + labId, e);
        }
    }

    /**
     * Writes the validations in one transaction: each one's history row, its checkpoint's latest result (a
     * PASSED result stays PASSED, with its first passing time), and a new baseline if one was taken. Joins the caller's
     * transaction if there is one.
     */
    public void record(UUID labId, Collection<Validation> validations) {
        QuarkusTransaction.joiningExisting().run(() -> {
            try (Connection c = dataSource.getConnection();
                 var history = c.prepareStatement("""
                         INSERT INTO checkpoint_validations (lab_id, checkpoint_id, at, passed, acted, message, evidence)
                         VALUES (?, ?, ?, ?, ?, ?, ?)""");
                 var result = c.prepareStatement("""
                         INSERT INTO checkpoint_results AS r (lab_id, checkpoint_id, status, attempts, passed_at, message, evidence, last_validated_at)
                         VALUES (?, ?, ?, 1, ?, ?, ?, ?)
                         ON CONFLICT (lab_id, checkpoint_id) DO UPDATE SET
                             attempts = r.attempts + 1,
                             last_validated_at = EXCLUDED.last_validated_at,
                             status = CASE WHEN r.status = 'PASSED' THEN r.status ELSE EXCLUDED.status END,
                             passed_at = COALESCE(r.passed_at, EXCLUDED.passed_at),
                             message = CASE WHEN r.status = 'PASSED' AND EXCLUDED.status <> 'PASSED' THEN r.message ELSE EXCLUDED.message END,
                             evidence = CASE WHEN r.status = 'PASSED' AND EXCLUDED.status <> 'PASSED' THEN r.evidence ELSE EXCLUDED.evidence END""");
                 var baseline = c.prepareStatement("""
                         INSERT INTO data_baselines (lab_id, taken_at, pod_name, pod_uid, claim_uids, tables) VALUES (?, ?, ?, ?, ?, ?)
                         ON CONFLICT (lab_id) DO UPDATE SET taken_at = EXCLUDED.taken_at, pod_name = EXCLUDED.pod_name,
                             pod_uid = EXCLUDED.pod_uid, claim_uids = EXCLUDED.claim_uids, tables = EXCLUDED.tables""")) {
                for (Validation v : validations) {
                    Verdict verdict = v.verdict();
                    String evidence = json.writeValueAsString(verdict.evidence());
                    Timestamp at = Timestamp.from(v.at());
                    history.setObject(1, labId);
                    history.setString(2, v.checkpointId());
                    history.setTimestamp(3, at);
                    history.setBoolean(4, verdict.passed());
                    history.setBoolean(5, v.acted());
                    history.setString(6, verdict.message());
                    history.setString(7, evidence);
                    history.addBatch();
                    result.setObject(1, labId);
                    result.setString(2, v.checkpointId());
                    result.setString(3, (verdict.passed() ? CheckpointStatus.PASSED : CheckpointStatus.FAILED).name());
                    result.setTimestamp(4, verdict.passed() ? at : null);
                    result.setString(5, verdict.message());
                    result.setString(6, evidence);
                    result.setTimestamp(7, at);
                    result.addBatch();
                    if (verdict.baseline().isPresent()) {
                        Baseline b = verdict.baseline().get();
                        baseline.setObject(1, labId);
                        baseline.setTimestamp(2, Timestamp.from(b.takenAt()));
                        baseline.setString(3, b.podName());
                        baseline.setString(4, b.podUid());
                        baseline.setString(5, json.writeValueAsString(b.claimUids()));
                        baseline.setString(6, json.writeValueAsString(b.tables()));
                        baseline.executeUpdate();
                    }
                }
                history.executeBatch();
                result.executeBatch();
            } catch (SQLException | JsonProcessingException e) {
                throw new IllegalStateException("Cannot record the validation of lab " + labId, e);
            }
        });
    }

    /** The latest result of each checkpoint validated so far, by checkpoint id. */
    public Map<String, CheckpointResult> results(UUID labId) {
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT lab_id, " + RESULT_COLUMNS + " FROM checkpoint_results WHERE lab_id = ?")) {
            q.setObject(1, labId);
            return readResults(q).getOrDefault(labId, new LinkedHashMap<>());
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the checkpoint results of lab " + labId, e);
        }
    }

    /** {@link #results(UUID)} of many labs in one query (a course's report), by lab id; a lab without results is absent. */
    public Map<UUID, Map<String, CheckpointResult>> results(Collection<UUID> labIds) {
        if (labIds.isEmpty()) {
            return Map.of();
        }
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT lab_id, " + RESULT_COLUMNS + " FROM checkpoint_results WHERE lab_id = ANY (?)")) {
            q.setArray(1, c.createArrayOf("uuid", labIds.toArray()));
            return readResults(q);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the checkpoint results of " + labIds.size() + " labs", e);
        }
    }

    private static Map<UUID, Map<String, CheckpointResult>> readResults(java.sql.PreparedStatement q) throws SQLException {
        var byLab = new LinkedHashMap<UUID, Map<String, CheckpointResult>>();
        try (var rs = q.executeQuery()) {
            while (rs.next()) {
                Timestamp passed = rs.getTimestamp(5);
                var result = new CheckpointResult(rs.getString(2), CheckpointStatus.valueOf(rs.getString(3)), rs.getInt(4),
                        passed == null ? null : passed.toInstant(), rs.getString(6), rs.getString(7), rs.getTimestamp(8).toInstant());
                byLab.computeIfAbsent(rs.getObject(1, UUID.class), id -> new LinkedHashMap<>()).put(result.checkpointId(), result);
            }
        }
        return byLab;
    }
}
