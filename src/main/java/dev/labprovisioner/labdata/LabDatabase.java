package dev.labprovisioner.labdata;

import dev.labprovisioner.lab.Lab;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;

/**
 * The lab's own PostgreSQL, as the pod serving it sees it. Real mode: {@code psql} through a Kubernetes exec
 * in the pod. Sandbox: the real database behind the pod's PVC. Both run {@link #DIGEST_SQL}.
 */
public interface LabDatabase {

    /**
     * Every table outside the system schemas, with its row count and an MD5 of its rows sorted as text: one
     * statement, so that {@code psql -c} and JDBC run the same thing. Every function is named with its schema,
     * so a learner's lookalike in {@code public} is never called.
     */
    String DIGEST_SQL = """
            SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),
                   (pg_catalog.xpath('/row/n/text()', pg_catalog.query_to_xml(pg_catalog.format('SELECT pg_catalog.count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text,
                   (pg_catalog.xpath('/row/h/text()', pg_catalog.query_to_xml(pg_catalog.format('SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(t::text, pg_catalog.chr(10) ORDER BY t::text), '''')) AS h FROM %I.%I t', n.nspname, c.relname), false, true, '')))[1]::text
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
            ORDER BY 1""";

    /** The learner's tables in the database the pod serves; fails with a message a learner can act on. */
    List<TableDigest> digest(Lab lab, Pod pod) throws LabDataException;

    /** The database could not be read: the message says why, in the learner's terms. */
    final class LabDataException extends Exception {
        public LabDataException(String message) {
            super(message);
        }

        public LabDataException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
