package dev.labprovisioner.cluster;

import dev.labprovisioner.template.LabTemplate;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;

import java.util.LinkedHashMap;

/**
 * The lab's StatefulSet {@code postgres}: one replica to start with, OrderedReady, a claim template for
 * the data directory, and a securityContext that passes the {@code restricted} Pod Security level.
 */
public final class PostgresStatefulSet {

    static final String DATA_DIR = "/var/lib/postgresql/data";

    private PostgresStatefulSet() {
    }

    public static StatefulSet desired(LabSpec lab) {
        LabTemplate.Postgres pg = lab.template().postgres();
        var podLabels = new LinkedHashMap<>(lab.labels());
        podLabels.putAll(LabNames.postgresSelector());
        long uid = pg.runAsUser();
        return new StatefulSetBuilder()
                .withNewMetadata().withName(LabNames.STATEFULSET).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withNewSpec()
                .withServiceName(LabNames.HEADLESS_SERVICE)
                .withReplicas(pg.replicas())
                .withPodManagementPolicy("OrderedReady")
                .withNewUpdateStrategy().withType("RollingUpdate").endUpdateStrategy()
                .withNewSelector().withMatchLabels(LabNames.postgresSelector()).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(podLabels).endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withTerminationGracePeriodSeconds(10L)
                .withNewSecurityContext()
                .withRunAsNonRoot(true).withRunAsUser(uid).withRunAsGroup(uid).withFsGroup(uid)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("postgres")
                .withImage(pg.image())
                .addNewPort().withName("postgres").withContainerPort(5432).withProtocol("TCP").endPort()
                .withEnv(new EnvVarBuilder().withName("POSTGRES_PASSWORD").withNewValueFrom()
                                .withNewSecretKeyRef(LabNames.POSTGRES_PASSWORD_KEY, LabNames.POSTGRES_SECRET, false).endValueFrom().build(),
                        new EnvVarBuilder().withName("POSTGRES_USER").withValue(LabNames.POSTGRES_USER).build(),
                        new EnvVarBuilder().withName("POSTGRES_DB").withValue(LabNames.POSTGRES_DATABASE).build(),
                        // A subdirectory: the volume's root holds lost+found, which initdb refuses.
                        new EnvVarBuilder().withName("PGDATA").withValue(DATA_DIR + "/pgdata").build())
                .withNewReadinessProbe()
                .withNewExec().withCommand("pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", "5432").endExec()
                .withInitialDelaySeconds(3).withPeriodSeconds(5).withTimeoutSeconds(3).withFailureThreshold(3)
                .endReadinessProbe()
                .withNewResources()
                .addToRequests("cpu", new Quantity(pg.cpuRequest()))
                .addToRequests("memory", new Quantity(pg.memoryRequest()))
                .addToLimits("cpu", new Quantity(pg.cpuLimit()))
                .addToLimits("memory", new Quantity(pg.memoryLimit()))
                .endResources()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount().withName(LabNames.DATA_CLAIM_TEMPLATE).withMountPath(DATA_DIR).endVolumeMount()
                .endContainer()
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(new PersistentVolumeClaimBuilder()
                        .withNewMetadata().withName(LabNames.DATA_CLAIM_TEMPLATE).addToLabels(lab.labels()).endMetadata()
                        .withNewSpec()
                        .withAccessModes("ReadWriteOnce")
                        .withStorageClassName(pg.storageClassName())
                        .withNewResources().addToRequests("storage", new Quantity(pg.storage())).endResources()
                        .endSpec()
                        .build())
                // The lesson: volumes outlive pods, scale-down and even the StatefulSet (the documented default).
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Retain").withWhenScaled("Retain").endPersistentVolumeClaimRetentionPolicy()
                .endSpec()
                .build();
    }
}
