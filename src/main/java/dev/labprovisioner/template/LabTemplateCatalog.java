package dev.labprovisioner.template;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.labprovisioner.config.LabsConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The labs on offer, loaded once from {@code lab-templates/<id>.yaml} on the classpath. */
@ApplicationScoped
public class LabTemplateCatalog {

    private final Map<String, LabTemplate> templates = new LinkedHashMap<>();

    LabTemplateCatalog(LabsConfig config) {
        var yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        for (String id : config.templates()) {
            String path = "lab-templates/" + id + ".yaml";
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("Lab template '" + id + "' is configured but " + path + " is not on the classpath");
                }
                LabTemplate t = yaml.readValue(in, LabTemplate.class);
                if (!id.equals(t.id())) {
                    throw new IllegalStateException(path + " declares id '" + t.id() + "'");
                }
                validate(path, t);
                templates.put(id, config.postgresImage().map(t::withImage).orElse(t));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + path, e);
            }
        }
    }

    /** A lab definition must hang together: unique checkpoint ids, and steps naming only those. */
    static void validate(String path, LabTemplate t) {
        var ids = new java.util.HashSet<String>();
        for (var c : t.checkpoints()) {
            if (c.id() == null || c.kind() == null || c.title() == null || c.points() < 0 || !ids.add(c.id())) {
                throw new IllegalStateException(path + ": checkpoint '" + c.id() + "' needs a unique id, a title, a kind and points >= 0");
            }
        }
        for (var step : t.steps()) {
            if (step.id() == null || step.title() == null || step.markdown() == null) {
                throw new IllegalStateException(path + ": every step needs an id, a title and markdown");
            }
            for (String ref : step.checkpoints()) {
                if (!ids.contains(ref)) {
                    throw new IllegalStateException(path + ": step " + step.id() + " names unknown checkpoint " + ref);
                }
            }
        }
    }

    public Optional<LabTemplate> find(String id) {
        return Optional.ofNullable(id == null ? null : templates.get(id));
    }

    public Collection<LabTemplate> all() {
        return templates.values();
    }
}
