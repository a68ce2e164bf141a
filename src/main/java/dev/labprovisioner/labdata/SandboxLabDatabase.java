package dev.labprovisioner.labdata;

import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.sandbox.SandboxCluster;
import io.fabric8.kubernetes.api.model.Pod;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Sandbox: reads the real PostgreSQL database behind the pod's PVC (what the pod would serve). */
final class SandboxLabDatabase implements LabDatabase {

    private final SandboxCluster sandbox;
    SandboxLabDatabase(SandboxCluster sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public List<TableDigest> digest(Lab lab, Pod pod) throws LabDataException {
        try (Connection c = sandbox.openVolume(pod, false); var st = c.createStatement()) {
            st.setQueryTimeout(10);
            try (var rs = st.executeQuery(DIGEST_SQL)) {
                var tables = new ArrayList<TableDigest>();
                while (rs.next()) {
                    tables.add(new TableDigest(rs.getString(1), Long.parseLong(rs.getString(2)), rs.getString(3)));
                }
                return tables;
            }
        } catch (SQLException e) {
            throw new LabDataException("Could not read the database of " + pod.getMetadata().getName() + ": " + e.getMessage(), e);
        }
    }
}
