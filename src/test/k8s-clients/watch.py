"""The official Python client's watch on a lab namespace's pods, as the lab's steps show it:
python3 watch.py NAMESPACE SECONDS (kubeconfig from $KUBECONFIG). Prints "TYPE name ready|not-ready" per event,
then "END" when the server ends the watch (timeout_seconds)."""
import sys

from kubernetes import client, config, watch

namespace, seconds = sys.argv[1], int(sys.argv[2])
config.load_kube_config()
pods = client.CoreV1Api()
for event in watch.Watch().stream(pods.list_namespaced_pod, namespace, timeout_seconds=seconds):
    pod = event["object"]
    conditions = (pod.status.conditions if pod.status else None) or []
    ready = any(c.type == "Ready" and c.status == "True" for c in conditions)
    print(event["type"], pod.metadata.name, "ready" if ready else "not-ready", flush=True)
print("END", flush=True)
