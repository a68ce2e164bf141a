package dev.labprovisioner.sandboxclient;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemException;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Sandbox only: runs a learner's SQL on a pod's database, what {@code kubectl exec <pod> -- psql} does on a
 * real cluster (the sandbox has no containers to exec into). It runs as an unprivileged role, with a statement
 * timeout, and returns at most a bounded number of rows.
 */
@ApplicationScoped
public class SandboxSql {

    static final int MAX_SQL_LENGTH = 65_536;
    static final int MAX_CELL = 4_096;

    /** One statement's outcome: rows (with their column names) or the number of rows it changed. */
    public record StatementResult(@Schema(nullable = true, description = "For a query: its column names") List<String> columns,
                                  @Schema(nullable = true, description = "For a query: its rows, each cell as text or null") List<List<Object>> rows,
                                  @Schema(description = "True when rows were left out or cells cut short") boolean truncated,
                                  @Schema(nullable = true, description = "For any other statement: the rows it changed") Integer updateCount) {
    }

    public record SqlResult(String pod, List<StatementResult> results) {
    }

    private final LabsConfig config;
    private final SandboxVolumes sandbox;
    private final LabClusterWatch watch;

    SandboxSql(LabsConfig config, SandboxVolumes sandbox, LabClusterWatch watch) {
        this.config = config;
        this.sandbox = sandbox;
        this.watch = watch;
    }

    public SqlResult run(Lab lab, String podName, String sql) {
        if (!sandbox.active()) {
            throw ProblemException.notFound("Running SQL through the service exists only in sandbox mode: on a cluster, use kubectl exec "
                    + podName + " -- psql.");
        }
        if (sql == null || sql.isBlank()) {
            throw ProblemException.badRequest("Send the SQL to run as the request body (text/plain).");
        }
        if (sql.length() > MAX_SQL_LENGTH) {
            throw ProblemException.badRequest("The SQL is longer than " + MAX_SQL_LENGTH + " characters.");
        }
        if (lab.state != LabState.READY) {
            throw ProblemException.conflict("Your lab is " + lab.state + ": SQL can run once it is READY.");
        }
        Pod pod = watch.pod(lab.namespace, podName)
                .orElseThrow(() -> ProblemException.notFound("There is no pod " + podName + " in your namespace."));
        if (!LabObservation.ready(pod)) {
            throw ProblemException.conflict("Pod " + podName + " is not Ready, so nothing answers there (kubectl exec would fail too).");
        }
        try (Connection c = sandbox.open(pod, true); Statement st = c.createStatement()) {
            // Enforced by the driver (it cancels the statement): a SET statement_timeout in the learner's SQL cannot lift it.
            st.setQueryTimeout((int) Math.max(1, config.checks().sqlTimeout().toSeconds()));
            st.setMaxRows(config.checks().sqlMaxRows() + 1);
            var results = new ArrayList<StatementResult>();
            boolean isResultSet = st.execute(sql);
            while (true) {
                if (isResultSet) {
                    try (ResultSet rs = st.getResultSet()) {
                        results.add(rows(rs));
                    }
                } else {
                    int count = st.getUpdateCount();
                    if (count == -1) {
                        break;
                    }
                    results.add(new StatementResult(null, null, false, count));
                }
                isResultSet = st.getMoreResults();
            }
            return new SqlResult(podName, results);
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState())) {
                throw new ProblemException(Problem.of(Response.Status.BAD_REQUEST.getStatusCode(), "SQL error",
                        "The statement ran longer than " + config.checks().sqlTimeout().toSeconds() + " s and was cancelled."));
            }
            throw new ProblemException(Problem.of(Response.Status.BAD_REQUEST.getStatusCode(), "SQL error",
                    e.getMessage() == null ? "The statement failed (SQLSTATE " + e.getSQLState() + ")." : e.getMessage()));
        }
    }

    private StatementResult rows(ResultSet rs) throws SQLException {
        var meta = rs.getMetaData();
        var columns = new ArrayList<String>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnLabel(i));
        }
        var rows = new ArrayList<List<Object>>();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == config.checks().sqlMaxRows()) {
                truncated = true;
                break;
            }
            var row = new ArrayList<Object>(columns.size());
            for (int i = 1; i <= columns.size(); i++) {
                Object v = rs.getObject(i);
                if (v == null || v instanceof Number || v instanceof Boolean) {
                    row.add(v);
                } else {
                    String text = rs.getString(i);
                    // A page shows a value, not a megabyte of it.
                    row.add(text.length() > MAX_CELL ? text.substring(0, MAX_CELL) + "… (" + text.length() + " characters)" : text);
                }
            }
            rows.add(row);
        }
        return new StatementResult(columns, rows, truncated, null);
    }
}
