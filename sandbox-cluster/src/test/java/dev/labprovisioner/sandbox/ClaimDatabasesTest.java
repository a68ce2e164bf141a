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
import java.util.List;
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
        try (Connection c = volumes.openAsLearner(uid); var st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int primary key, text varchar(20))");
            st.execute("INSERT INTO notes VALUES (1, 'kept'), (2, 'also kept')");
        }
        try (Connection c = volumes.open(uid); var rs = c.createStatement().executeQuery("SELECT count(*) FROM public.notes")) {
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

    /**
     * The learner's SQL runs as the volume's own role: it can do anything to its own data and nothing to the
     * server, another volume, or the service (all of which a shared owner role or a superuser check could).
     */
    @Test
    void aVolumesRoleCannotReachBeyondItsOwnData() throws Exception {
        String mine = claim().getMetadata().getUid();
        String theirs = claim().getMetadata().getUid();
        try (Connection c = volumes.openAsLearner(theirs); var st = c.createStatement()) {
            st.execute("CREATE TABLE secret (v text)");
            st.execute("INSERT INTO secret VALUES ('theirs')");
        }
        String theirDb = ClaimDatabases.databaseName(theirs);
        String myDb = ClaimDatabases.databaseName(mine);
        try (Connection c = volumes.openAsLearner(mine); var st = c.createStatement()) {
            st.execute("CREATE TABLE mine (v text)");
            for (String attack : List.of(
                    "DROP DATABASE " + theirDb,
                    "ALTER DATABASE " + theirDb + " CONNECTION LIMIT 0",
                    "ALTER DATABASE " + myDb + " SET search_path = public, pg_catalog",
                    "ALTER ROLE " + myDb + " SUPERUSER",
                    "ALTER ROLE " + theirDb + " PASSWORD 'x'",
                    "COPY (SELECT 1) TO PROGRAM 'id'",
                    "SELECT pg_read_file('/etc/passwd')",
                    "CREATE DATABASE another",
                    "CREATE ROLE another",
                    "SET ROLE postgres",
                    "SET SESSION AUTHORIZATION postgres",
                    "CREATE EXTENSION dblink")) {
                assertThatThrownBy(() -> st.execute(attack)).as(attack).isInstanceOf(SQLException.class);
            }
        }
        // Another volume's database does not even let it in.
        assertThatThrownBy(() -> java.sql.DriverManager.getConnection(postgres.jdbcUrl(theirDb), myDb, ""))
                .isInstanceOf(SQLException.class);
        try (Connection c = volumes.open(theirs); var rs = c.createStatement().executeQuery("SELECT v FROM public.secret")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("theirs");
        }
    }

    /** A function the learner defines cannot stand in for a built-in one in the service's checks. */
    @Test
    void checksDoNotRunTheLearnersLookalikeFunctions() throws Exception {
        String uid = claim().getMetadata().getUid();
        try (Connection c = volumes.openAsLearner(uid); var st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int)");
            st.execute("INSERT INTO notes VALUES (1)");
            st.execute("CREATE FUNCTION public.md5(text) RETURNS text LANGUAGE sql AS $$ SELECT 'forged' $$");
            st.execute("CREATE FUNCTION public.format(text, name, name) RETURNS text LANGUAGE sql AS $$ SELECT 'forged' $$");
        }
        try (Connection c = volumes.open(uid);
             var rs = c.createStatement().executeQuery(dev.labprovisioner.labdata.LabDatabase.DIGEST_SQL)) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("public.notes");
            assertThat(rs.getString(3)).hasSize(32).isNotEqualTo("forged");
        }
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
