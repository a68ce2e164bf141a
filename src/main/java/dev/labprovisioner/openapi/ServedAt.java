package dev.labprovisioner.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;

import java.util.ArrayList;
import java.util.List;

/**
 * The document's one server is where this service is reached ({@code labs.public-base-url}), known only when it
 * starts: a client generated from {@code /q/openapi} then points at the right place by default.
 */
@OpenApiFilter(OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ServedAt implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI api) {
        String base = ConfigProvider.getConfig().getValue("labs.public-base-url", String.class);
        api.setServers(new ArrayList<>(List.of(OASFactory.createServer()
                .url(base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                .description("This service (labs.public-base-url)"))));
    }
}
