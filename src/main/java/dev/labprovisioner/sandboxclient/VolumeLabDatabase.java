package dev.labprovisioner.sandboxclient;

import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.labdata.LabDatabase;
import dev.labprovisioner.labdata.TableDigest;
import io.fabric8.kubernetes.api.model.Pod;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Sandbox: reads the real PostgreSQL database behind the pod's claim (what the pod would serve). */
public final class VolumeLabDatabase implements LabDatabase {

    private final SandboxVolumes volumes;

    public VolumeLabDatabase(SandboxVolumes volumes) {
        this.volumes = volumes;
    }

    @Override
    public List<TableDigest> digest(Lab lab, Pod pod) throws LabDataException {
        try (Connection c = volumes.open(pod, false); var st = c.createStatement()) {
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
