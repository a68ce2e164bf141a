package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * The imitation's answer to TokenRequest for learners: a token it issues for a ServiceAccount is confined to that
 * ServiceAccount's namespace and to the rules of {@code k8s/clusterrole-learner.yaml}, the very file a real cluster
 * binds there, evaluated as the RBAC authorizer does ({@link SandboxRbac}). A token whose ServiceAccount is gone (the
 * lab torn down) or that has expired is unknown (401).
 */
final class LearnerTokens {

    /** The prefix of every token the imitation's TokenRequest issues. */
    static final String PREFIX = "tokenrequest-";

    record Subject(String namespace, String account, Instant expires) {
        String username() {
            return "system:serviceaccount:" + namespace + ":" + account;
        }
    }

    /** An answer the API server would give instead of serving the request. */
    record Refusal(int code, String reason, String message) {
    }

    private final Map<String, Subject> tokens = new ConcurrentHashMap<>();
    private final List<PolicyRule> rules = SandboxRbac.CLUSTER_ROLES.get("lab-provisioner-learner");
    private final SecureRandom random = new SecureRandom();

    String issue(String namespace, String account, long seconds) {
        String token = PREFIX + HexFormat.of().formatHex(random.generateSeed(24));
        tokens.put(token, new Subject(namespace, account, Instant.now().plusSeconds(seconds)));
        return token;
    }

    /**
     * The learner a token stands for, or null when the imitation did not issue it, it has expired, or its
     * ServiceAccount is gone ({@code accountExists} answers whether a namespace's ServiceAccount still exists).
     */
    Subject subject(String token, BiPredicate<String, String> accountExists) {
        Subject subject = tokens.get(token);
        if (subject == null) {
            return null;
        }
        if (subject.expires().isBefore(Instant.now()) || !accountExists.test(subject.namespace(), subject.account())) {
            tokens.remove(token);
            return null;
        }
        return subject;
    }

    /** What the learner's RoleBinding grants: the learner ClusterRole's rules, in their own namespace only. */
    boolean allows(Subject subject, SandboxRbac.Request request) {
        if (request.nonResourcePath() != null) {
            return SandboxRbac.allows(rules, request);
        }
        return subject.namespace().equals(request.namespace()) && SandboxRbac.allows(rules, request);
    }
}
