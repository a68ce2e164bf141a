package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.template.CheckpointDefinition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code stable-identity}: pod {@code postgres-<i>} is Ready, carries the pod-name label the StatefulSet
 * controller sets, has its ordinal name as hostname under the headless Service's subdomain, and that Service
 * (clusterIP None) selects it: so {@code postgres-0.postgres.<namespace>.svc.cluster.local} resolves to it.
 */
@ApplicationScoped
public class StableIdentity implements CheckpointKind {

    static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

    @Override
    public String name() {
        return "stable-identity";
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        String podName = LabNames.podName(checkpoint.intParam("pod", 0));
        if (!lab.podReady(podName)) {
            return Verdict.fail(lab.podState(podName) + ". Is the StatefulSet " + LabNames.STATEFULSET + " scaled to at least 1?");
        }
        Pod pod = lab.pod(podName).orElseThrow();
        String serviceName = lab.statefulSet().map(s -> s.getSpec().getServiceName()).orElse(LabNames.HEADLESS_SERVICE);
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("pod", podName);
        evidence.put("podUid", pod.getMetadata().getUid());
        evidence.put("service", serviceName);
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        if (!podName.equals(labels.get(POD_NAME_LABEL))) {
            return Verdict.fail(podName + " has no " + POD_NAME_LABEL + " label: it was not made by a StatefulSet.", evidence);
        }
        if (!podName.equals(pod.getSpec().getHostname()) || !serviceName.equals(pod.getSpec().getSubdomain())) {
            return Verdict.fail(podName + " has hostname '" + pod.getSpec().getHostname() + "' under subdomain '" + pod.getSpec().getSubdomain()
                    + "': the StatefulSet's serviceName must name the headless Service.", evidence);
        }
        Service service = lab.service(serviceName).orElse(null);
        if (service == null) {
            return Verdict.fail("The Service " + serviceName + " that the StatefulSet names in serviceName does not exist: create it (clusterIP: None).", evidence);
        }
        if (!"None".equals(service.getSpec().getClusterIP())) {
            return Verdict.fail("The Service " + serviceName + " is not headless (clusterIP " + service.getSpec().getClusterIP()
                    + "): only a headless Service gives each pod its own DNS name.", evidence);
        }
        Map<String, String> selector = service.getSpec().getSelector() == null ? Map.of() : service.getSpec().getSelector();
        if (selector.isEmpty() || !labels.entrySet().containsAll(selector.entrySet())) {
            return Verdict.fail("The Service " + serviceName + " does not select " + podName + ": its selector " + selector
                    + " does not match the pod's labels.", evidence);
        }
        String dns = podName + "." + serviceName + "." + lab.namespace() + ".svc.cluster.local";
        evidence.put("dnsName", dns);
        evidence.put("hostname", pod.getSpec().getHostname());
        return Verdict.pass(podName + " is Ready and has a stable network identity: " + dns + ".", evidence);
    }
}
