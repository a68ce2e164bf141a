package dev.labprovisioner.labdata;

import dev.labprovisioner.sandbox.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real mode's data check without the cluster: the exact command the service execs in a lab pod
 * ({@code sh -c <script> sh <sql>}, password on stdin) run here with a real {@code psql} against a real
 * PostgreSQL, and its output parsed. It must find what JDBC finds. Only the Kubernetes exec transport is left
 * out. Needs {@code psql} (Debian's {@code postgresql-client}); skipped without it unless
 * {@code LABS_REQUIRE_TEST_TOOLS=true} (set by CI).
 */
class ExecLabDatabaseTest {

    static EmbeddedPostgresServer postgres;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgresServer.start(Path.of("target/exec-lab-database-test"));
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", ""); var st = c.createStatement()) {
            st.execute("CREATE DATABASE lab");
        }
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("lab"), "postgres", ""); var st = c.createStatement()) {
            st.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            st.execute("INSERT INTO notes VALUES (1, 'one'), (2, 'two|with a pipe'), (3, E'three\\nlines')");
            st.execute("CREATE SCHEMA \"odd schema\"");
            st.execute("CREATE TABLE \"odd schema\".\"Mixed Case\" (v text)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void thePsqlCommandFindsWhatJdbcFinds() throws Exception {
        String psql = psql();
        List<TableDigest> viaPsql = ExecLabDatabase.parse(run(psql, LabDatabase.DIGEST_SQL, 0));
        var viaJdbc = new ArrayList<TableDigest>();
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl("lab"), "postgres", "");
             var rs = c.createStatement().executeQuery(LabDatabase.DIGEST_SQL)) {
            while (rs.next()) {
                viaJdbc.add(new TableDigest(rs.getString(1), Long.parseLong(rs.getString(2)), rs.getString(3)));
            }
        }
        assertThat(viaPsql).isEqualTo(viaJdbc);
        assertThat(viaPsql).extracting(TableDigest::table).containsExactly("\"odd schema\".\"Mixed Case\"", "public.notes");
        assertThat(viaPsql.get(1).rows()).isEqualTo(3);
        assertThat(viaPsql.get(0).rows()).isZero();
    }

    @Test
    void aFailingStatementExitsNonZero() throws Exception {
        run(psql(), "SELECT * FROM no_such_table", 1);
    }

    @Test
    void unexpectedOutputIsReportedNotMisread() {
        assertThatThrownBy(() -> ExecLabDatabase.parse("just one field\n")).isInstanceOf(LabDatabase.LabDataException.class)
                .hasMessageContaining("Unexpected psql output");
    }

    /** Runs the pod's command locally; PGPORT points psql at the test server (the script says 127.0.0.1). */
    private static String run(String psql, String sql, int expectedExit) throws Exception {
        var builder = new ProcessBuilder(ExecLabDatabase.command(sql)).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PGPORT", Integer.toString(postgres.port()));
        builder.environment().put("PATH", Path.of(psql).getParent() + ":" + System.getenv("PATH"));
        Process p = builder.start();
        p.getOutputStream().write("not-needed-with-trust-auth\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(expectedExit);
        return out;
    }

    private static String psql() throws Exception {
        var found = Stream.concat(Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "psql")),
                        Files.isDirectory(Path.of("/usr/lib/postgresql"))
                                ? Files.list(Path.of("/usr/lib/postgresql")).map(d -> d.resolve("bin/psql")) : Stream.empty())
                .filter(Files::isExecutable).findFirst();
        if ("true".equals(System.getenv("LABS_REQUIRE_TEST_TOOLS"))) {
            assertThat(found).as("psql (apt-get install postgresql-client)").isPresent();
        }
        Assumptions.assumeTrue(found.isPresent(), "psql not installed (apt-get install postgresql-client): skipping");
        return found.get().toString();
    }
}
