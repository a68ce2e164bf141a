package dev.labprovisioner.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** The one place for the names and labels of what the service creates in a cluster. */
public final class LabNames {

    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "lab-provisioner";
    public static final String LAB_ID_LABEL = "lab-provisioner.dev/lab-id";
    public static final String COURSE_LABEL = "lab-provisioner.dev/course";
    public static final String LEARNER_HASH_LABEL = "lab-provisioner.dev/learner-hash";
    public static final String TEMPLATE_LABEL = "lab-provisioner.dev/template";

    public static final String NAMESPACE_PREFIX = "lab-";
    public static final String STATEFULSET = "postgres";
    public static final String HEADLESS_SERVICE = "postgres";
    public static final String POSTGRES_SECRET = "postgres-credentials";
    public static final String POSTGRES_PASSWORD_KEY = "password";
    public static final String POSTGRES_USER = "postgres";
    public static final String POSTGRES_DATABASE = "lab";
    public static final String DATA_CLAIM_TEMPLATE = "data";
    public static final String LEARNER_ACCOUNT = "learner";
    /** What a learner may do in their namespace: a ClusterRole deployed with the service (k8s/clusterrole-learner.yaml). */
    public static final String LEARNER_CLUSTER_ROLE = "lab-provisioner-learner";
    /** What the service does inside a lab namespace (k8s/clusterrole-lab.yaml), bound there to the service. */
    public static final String PROVISIONER_CLUSTER_ROLE = "lab-provisioner-lab";
    public static final String PROVISIONER_BINDING = "lab-provisioner";
    public static final String RESOURCE_QUOTA = "lab-quota";
    public static final String LIMIT_RANGE = "lab-limits";
    public static final String NETWORK_POLICY = "lab-isolation";

    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");

    private LabNames() {
    }

    /** {@code lab-} and 16 hex digits of the lab id's random bits: a DNS-1123 label, never from learner input. */
    public static String namespace(UUID labId) {
        String hex = labId.toString().replace("-", "");
        return NAMESPACE_PREFIX + hex.substring(0, 12) + hex.substring(13, 17);
    }

    /** Labels every object of a lab carries; they say whose it is, never who the learner is. */
    public static Map<String, String> labLabels(UUID labId, String courseId, String learnerId, String template) {
        var labels = new LinkedHashMap<String, String>();
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        labels.put(LAB_ID_LABEL, labId.toString());
        labels.put(TEMPLATE_LABEL, template);
        if (courseId != null && !courseId.isEmpty()) {
            labels.put(COURSE_LABEL, LABEL_VALUE.matcher(courseId).matches() ? courseId : "sha256-" + sha256(courseId).substring(0, 40));
        }
        labels.put(LEARNER_HASH_LABEL, sha256(learnerId).substring(0, 40));
        return labels;
    }

    /** The PostgreSQL pods' labels: the StatefulSet's selector and the headless Service's. */
    public static Map<String, String> postgresSelector() {
        var labels = new LinkedHashMap<String, String>();
        labels.put("app.kubernetes.io/name", "postgres");
        labels.put("app.kubernetes.io/component", "database");
        return labels;
    }

    public static String claimName(int ordinal) {
        return DATA_CLAIM_TEMPLATE + "-" + STATEFULSET + "-" + ordinal;
    }

    public static String podName(int ordinal) {
        return STATEFULSET + "-" + ordinal;
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
