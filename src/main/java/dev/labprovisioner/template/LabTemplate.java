package dev.labprovisioner.template;

/** A lab offered in the catalog: its text and the parameters of the objects it is made of. */
public record LabTemplate(
        String id,
        int version,
        String title,
        String description,
        Postgres postgres) {

    /** The StatefulSet's parameters. */
    public record Postgres(String image, String storage, String cpuRequest, String memoryRequest,
                           String cpuLimit, String memoryLimit, int replicas, int runAsUser) {
    }

    public LabTemplate withImage(String image) {
        var p = postgres;
        return new LabTemplate(id, version, title, description,
                new Postgres(image, p.storage(), p.cpuRequest(), p.memoryRequest(), p.cpuLimit(), p.memoryLimit(), p.replicas(), p.runAsUser()));
    }
}
