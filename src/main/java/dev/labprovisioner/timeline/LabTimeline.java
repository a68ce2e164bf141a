package dev.labprovisioner.timeline;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads a lab's timeline, oldest first, after the recorder has written what it has seen. */
@ApplicationScoped
public class LabTimeline {

    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(5);

    private final TimelineRecorder recorder;
    private final AgroalDataSource dataSource;

    LabTimeline(TimelineRecorder recorder, AgroalDataSource dataSource) {
        this.recorder = recorder;
        this.dataSource = dataSource;
    }

    public Timeline of(UUID labId) {
        recorder.flush(FLUSH_TIMEOUT);
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("""
                     SELECT seq, kind, name, uid, ordinal, event, at, fingerprint, replicas, policy, late
                     FROM lab_timeline WHERE lab_id = ? ORDER BY seq""")) {
            q.setObject(1, labId);
            try (var rs = q.executeQuery()) {
                var events = new ArrayList<TimelineEvent>();
                while (rs.next()) {
                    events.add(new TimelineEvent(rs.getLong(1), labId, TimelineEvent.Kind.valueOf(rs.getString(2)), rs.getString(3),
                            rs.getString(4), (Integer) rs.getObject(5), TimelineEvent.Type.valueOf(rs.getString(6)),
                            rs.getTimestamp(7).toInstant(), rs.getString(8), (Integer) rs.getObject(9), rs.getString(10),
                            rs.getBoolean(11)));
                }
                return new Timeline(events);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the timeline of lab " + labId, e);
        }
    }
}
