package dev.labprovisioner.template;

import dev.labprovisioner.security.Scopes;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Collection;

@Path("/api/v1/templates")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Templates", description = "The labs on offer, with their steps and checkpoints.")
@SecurityRequirement(name = "bearer")
public class LabTemplateResource {

    private final LabTemplateCatalog catalog;

    LabTemplateResource(LabTemplateCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @RolesAllowed(Scopes.LABS_READ)
    @Operation(operationId = "listTemplates", summary = "The lab catalog", description = "Every lab template a create may name.")
    @APIResponse(responseCode = "200", description = "The templates")
    public Collection<LabTemplate> list() {
        return catalog.all();
    }
}
