/**
 * The API's contract: {@code /q/openapi}, made true by the annotations next to each operation and by the shared rules
 * of {@link dev.labprovisioner.openapi.ApiDocument}. {@code OpenApiContractTests} holds every answer to it.
 */
@OpenAPIDefinition(info = @Info(title = "Lab Provisioner API", version = "1",
        description = "Per-learner Kubernetes labs: PostgreSQL on a StatefulSet. Errors are RFC 9457 problem+json; every field of an "
                + "answer is always present, null where its schema says it may be.",
        // Proprietary until the owners choose otherwise: the repository holds no licence file.
        license = @License(name = "Proprietary (all rights reserved)", identifier = "LicenseRef-Proprietary")))
package dev.labprovisioner.openapi;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
