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
                templates.put(id, config.postgresImage().map(t::withImage).orElse(t));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + path, e);
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
