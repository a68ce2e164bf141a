package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A claim's database is real PostgreSQL: data written through it is there on the next open, until the claim goes. */
class ClaimDatabasesTest {

    static EmbeddedPostgresServer postgres;
    static ClaimDatabases volumes;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgresServer.start(Path.of("target/claim-databases-test").toAbsolutePath());
        volumes = new ClaimDatabases(postgres.jdbcUrl("postgres"));
    }

    @AfterAll
    static void stop() throws Exception {
        volumes.close();
        postgres.close();
    }

    @Test
    void dataSurvivesReopeningAndGoesWithTheClaim() throws Exception {
        PersistentVolumeClaim claim = claim();
        String uid = claim.getMetadata().getUid();
        volumes.claimCreated(claim);
        try (Connection c = volumes.open(uid); var st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int primary key, text varchar(20))");
            st.execute("INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')");
        }
        try (Connection c = volumes.open(uid); var rs = c.createStatement().executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
        // Another claim is another disk.
        try (Connection c = volumes.open(claim().getMetadata().getUid()); var rs = c.createStatement()
                .executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_name = 'notes'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }

        volumes.claimDeleted(claim);
        assertThatThrownBy(() -> volumes.open(uid)).isInstanceOf(SQLException.class).hasMessageContaining("deleted");
        await().atMost(Duration.ofSeconds(10)).until(() -> !databaseExists(ClaimDatabases.databaseName(uid)));
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
             var st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            st.setString(1, name);
            return st.executeQuery().next();
        }
    }

    private static PersistentVolumeClaim claim() {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data-postgres-0").withNamespace("lab-x")
                .withUid(UUID.randomUUID().toString()).endMetadata().build();
    }
}
