package dev.labprovisioner.reconcile;

import dev.labprovisioner.cluster.LabCluster;
import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Deletes namespaces labelled as ours that no lab owns any more (a lab DELETED, or no such lab): what a
 * crash between a teardown and a late write, or a lost database, would otherwise leak.
 */
@ApplicationScoped
public class NamespaceSweeper {

    private static final Logger LOG = Logger.getLogger(NamespaceSweeper.class);

    private final LabClusterWatch watch;
    private final LabCluster cluster;
    private final LabsConfig config;
    private final MeterRegistry metrics;
    private final DatabaseAvailability database;

    NamespaceSweeper(LabClusterWatch watch, LabCluster cluster, LabsConfig config, MeterRegistry metrics, DatabaseAvailability database) {
        this.database = database;
        this.watch = watch;
        this.cluster = cluster;
        this.config = config;
        this.metrics = metrics;
    }

    @Scheduled(every = "${labs.sweeper.interval:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public void sweep() {
        // Without the database no namespace can be told from a leak: sweep when it is back.
        if (!watch.synced() || !database.up()) {
            return;
        }
        try {
            sweepUnowned();
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
        }
    }

    private void sweepUnowned() {
        Instant youngest = Instant.now().minus(config.sweeper().minAge());
        for (Namespace ns : watch.labNamespaces()) {
            var meta = ns.getMetadata();
            if (meta.getDeletionTimestamp() != null || created(ns).isAfter(youngest)) {
                continue;
            }
            if (meta.getLabels().containsKey(dev.labprovisioner.cluster.PodSecurityProbe.PROBE_LABEL)
                    && created(ns).isAfter(Instant.now().minus(java.time.Duration.ofMinutes(10)))) {
                continue; // a probe deletes its own namespace; only one its service did not live to delete is swept
            }
            if (ownedByLiveLab(meta.getLabels().get(LabNames.LAB_ID_LABEL), meta.getName())) {
                continue;
            }
            try {
                cluster.deleteNamespace(meta.getName());
                metrics.counter("labs.namespaces.swept").increment();
                LOG.warnf("Swept namespace %s: labelled as ours but no lab owns it", meta.getName());
            } catch (KubernetesClientException e) {
                LOG.warnf("Could not sweep namespace %s: %s; will try again", meta.getName(), e.getMessage());
            }
        }
    }

    private static boolean ownedByLiveLab(String labId, String namespace) {
        UUID id;
        try {
            id = UUID.fromString(labId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
        Lab lab = QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>findById(id));
        return lab != null && lab.state != LabState.DELETED && lab.namespace.equals(namespace);
    }

    private static Instant created(Namespace ns) {
        String ts = ns.getMetadata().getCreationTimestamp();
        return ts == null ? Instant.EPOCH : OffsetDateTime.parse(ts).toInstant();
    }
}
