package dev.labprovisioner.cluster;

import dev.labprovisioner.template.LabTemplate;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The objects of a lab are pure functions of the lab record: checked here without any cluster. */
class LabObjectsTest {

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final LabTemplate TEMPLATE = new LabTemplate("postgres-statefulset", 1, "t", "d",
            new LabTemplate.Postgres("docker.io/library/postgres:17", "1Gi", "100m", "128Mi", "1", "512Mi", 1, 999, null), null, null);

    private static LabSpec spec(String learner, String course) {
        return new LabSpec(UUID.randomUUID(), course, learner, TEMPLATE, "pw", "restricted", "lab-provisioner", "lab-provisioner");
    }

    @Test
    void theNamespaceNameComesFromTheLabIdAndIsADns1123Label() {
        for (int i = 0; i < 1000; i++) {
            String ns = LabNames.namespace(UUID.randomUUID());
            assertThat(ns).hasSize(20).startsWith("lab-").matches(DNS_1123_LABEL);
        }
        var lab = spec("../Ann Smith<script>", "course-v1:edX+DemoX+Demo_Course");
        assertThat(LabNamespace.desired(lab).getMetadata().getName()).isEqualTo(LabNames.namespace(lab.labId()));
    }

    @Test
    void labelsAreValidLabelValuesAndNeverTheRawLearnerId() {
        var lab = spec("ann.smith@example.edu", "course-v1:edX+DemoX+Demo_Course");
        var labels = lab.labels();
        assertThat(labels).doesNotContainValue("ann.smith@example.edu");
        assertThat(labels.get(LabNames.COURSE_LABEL)).startsWith("sha256-");
        assertThat(labels.values()).allSatisfy(v -> assertThat(v).hasSizeLessThanOrEqualTo(63).matches("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"));
        assertThat(spec("ann", "k8s-101").labels()).containsEntry(LabNames.COURSE_LABEL, "k8s-101");
    }

    @Test
    void everyObjectLivesInTheLabNamespaceAndCarriesTheLabLabels() {
        var lab = spec("ann", "k8s-101");
        var objects = LabObjects.desired(lab);
        assertThat(objects).extracting(HasMetadata::getKind).containsExactly("Namespace", "RoleBinding", "ResourceQuota",
                "LimitRange", "NetworkPolicy", "ServiceAccount", "RoleBinding", "Secret", "Service", "StatefulSet");
        for (HasMetadata o : objects.subList(1, objects.size())) {
            assertThat(o.getMetadata().getNamespace()).isEqualTo(lab.namespace());
        }
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels()).containsAllEntriesOf(lab.labels()));
    }

    @Test
    void theStatefulSetIsValidForARealClusterAndPassesRestrictedPodSecurity() {
        StatefulSet sts = PostgresStatefulSet.desired(spec("ann", null));
        var spec = sts.getSpec();
        assertThat(spec.getTemplate().getMetadata().getLabels()).containsAllEntriesOf(spec.getSelector().getMatchLabels());
        assertThat(spec.getServiceName()).isEqualTo(PostgresHeadlessService.desired(spec("ann", null)).getMetadata().getName());
        assertThat(PostgresHeadlessService.desired(spec("ann", null)).getSpec().getSelector()).isEqualTo(spec.getSelector().getMatchLabels());
        assertThat(spec.getPodManagementPolicy()).isEqualTo("OrderedReady");
        assertThat(spec.getVolumeClaimTemplates()).singleElement().satisfies(c -> {
            assertThat(c.getMetadata().getName()).isEqualTo("data");
            assertThat(c.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("1Gi");
        });
        var pod = spec.getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getReadinessProbe().getExec().getCommand()).startsWith("pg_isready");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getName()).isEqualTo("data"));
        // https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POSTGRES_PASSWORD");
            assertThat(e.getValue()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(LabNames.POSTGRES_SECRET);
        });
    }

    @Test
    void theSameLabRecordGivesTheSameObjects() {
        var lab = spec("ann", "k8s-101");
        assertThat(Serialization.asYaml(LabObjects.desired(lab))).isEqualTo(Serialization.asYaml(LabObjects.desired(lab)));
    }
}
