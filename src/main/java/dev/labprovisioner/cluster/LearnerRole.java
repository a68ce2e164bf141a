package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;

/** What a learner may do, in their namespace only: everything the lab's steps ask for, and no more. */
public final class LearnerRole {

    private LearnerRole() {
    }

    public static Role desired(LabSpec lab) {
        return new RoleBuilder()
                .withNewMetadata().withName(LabNames.LEARNER_ACCOUNT).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withRules(
                        rule("", new String[]{"pods"}, "get", "list", "watch", "delete"),
                        rule("", new String[]{"pods/exec"}, "create", "get"),
                        rule("", new String[]{"pods/log"}, "get", "list"),
                        rule("apps", new String[]{"statefulsets"}, "get", "list", "watch", "create", "update", "patch", "delete"),
                        rule("apps", new String[]{"statefulsets/scale"}, "get", "update", "patch"),
                        // kubectl rollout history / undo read the StatefulSet's revisions (step 10's repair).
                        rule("apps", new String[]{"controllerrevisions"}, "get", "list", "watch"),
                        rule("", new String[]{"persistentvolumeclaims"}, "get", "list", "watch", "create", "delete"),
                        rule("", new String[]{"services", "endpoints"}, "get", "list", "watch"),
                        rule("", new String[]{"events"}, "get", "list", "watch"),
                        new PolicyRuleBuilder().withApiGroups("").withResources("secrets")
                                .withResourceNames(LabNames.POSTGRES_SECRET).withVerbs("get").build())
                .build();
    }

    private static io.fabric8.kubernetes.api.model.rbac.PolicyRule rule(String group, String[] resources, String... verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs).build();
    }
}
