// The official JavaScript client's Watch on a lab namespace's pods, as a learner's script would use it:
// node watch.mjs NAMESPACE SECONDS (kubeconfig from $KUBECONFIG). Prints "TYPE name ready|not-ready" per event,
// then "END" when the watch ends (the server's end, or SECONDS passed).
import * as k8s from '@kubernetes/client-node';

const [namespace, seconds] = process.argv.slice(2);
const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const watch = new k8s.Watch(kc);
const request = await watch.watch(`/api/v1/namespaces/${namespace}/pods`, {},
  (type, pod) => {
    const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    console.log(`${type} ${pod.metadata.name} ${ready ? 'ready' : 'not-ready'}`);
  },
  (err) => {
    console.log(`END ${err ? err.message ?? err : ''}`.trim());
    process.exit(0);
  });
setTimeout(() => request.abort(), Number(seconds) * 1000);
