package dev.labprovisioner.example;

import dev.labprovisioner.client.ApiClient;
import dev.labprovisioner.client.ApiException;
import dev.labprovisioner.client.api.AdminApiClientsApi;
import dev.labprovisioner.client.api.LabsApi;
import dev.labprovisioner.client.api.ProgressApi;
import dev.labprovisioner.client.model.ApiClientView;
import dev.labprovisioner.client.model.CheckpointStatus;
import dev.labprovisioner.client.model.CheckpointView;
import dev.labprovisioner.client.model.CreateApiClientRequest;
import dev.labprovisioner.client.model.CreateLabRequest;
import dev.labprovisioner.client.model.ExtendRequest;
import dev.labprovisioner.client.model.LabState;
import dev.labprovisioner.client.model.LabView;
import dev.labprovisioner.client.model.ProgressView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's LMS walkthrough, written as an LMS developer would with the client OpenAPI Generator made from the
 * running service's /q/openapi: an API client, a lab, polled to READY, validated, its progress, more time, deleted.
 * Every answer goes through the generated models, so an answer the document does not describe fails here.
 */
class LmsWalkthroughTest {

    private static final String URL = System.getProperty("labs.url");
    private static final String ADMIN_TOKEN = System.getProperty("labs.admin-token");

    private static ApiClient client(String bearer) {
        var client = new ApiClient();
        client.updateBaseUri(URL);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + bearer));
        client.setReadTimeout(Duration.ofSeconds(30));
        return client;
    }

    @Test
    void theLmsWalkthroughThroughAGeneratedClient() throws Exception {
        // 1. An instructor (admin) makes the LMS its credential; the secret is in this answer only
        ApiClientView lms = new AdminApiClientsApi(client(ADMIN_TOKEN)).createApiClient(
                new CreateApiClientRequest().name("generated-client-" + UUID.randomUUID().toString().substring(0, 8))
                        .scopes(List.of(CreateApiClientRequest.ScopesEnum.LABS_READ, CreateApiClientRequest.ScopesEnum.LABS_WRITE)));
        assertNotNull(lms.getSecret());
        var labs = new LabsApi(client(lms.getSecret()));
        var progress = new ProgressApi(client(lms.getSecret()));

        // 2. A lab for a learner; asking again with the same key gives the same lab
        String key = UUID.randomUUID().toString();
        var request = new CreateLabRequest().learnerId("learner-" + key.substring(0, 8)).courseId("k8s-101")
                .template("postgres-statefulset").ttlMinutes(120);
        LabView lab = labs.createLab(request, key);
        assertEquals(lab.getId(), labs.createLab(request, key).getId());
        assertNull(lab.getReadyAt());

        // 3. Poll until READY, as the README's loop does (every half second, never through FAILED)
        UUID labId = lab.getId();
        lab = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> labs.getLab(labId), l -> {
                    assertNotEquals(LabState.FAILED, l.getState(), l.getFailureReason());
                    return l.getState() == LabState.READY;
                });
        assertNotNull(lab.getReadyAt());
        assertNotNull(lab.getLearnerUrl());

        // 4. Validate: the first checkpoint (postgres-0 and its stable name) holds on a fresh lab
        CheckpointView first = progress.validateCheckpoint("stable-identity", lab.getId(), false);
        assertEquals(CheckpointStatus.PASSED, first.getStatus(), first.getMessage());
        ProgressView all = progress.validateLab(lab.getId());
        assertEquals(all.getCheckpoints().size(), progress.getLabProgress(lab.getId()).getCheckpoints().size());
        assertTrue(all.getScore() >= first.getPoints());
        assertTrue(all.getMaxScore() > all.getScore());

        // 5. More time
        LabView extended = labs.extendLab(lab.getId(), new ExtendRequest().minutes(30));
        assertEquals(lab.getExpiresAt().plusMinutes(30), extended.getExpiresAt());

        // 6. Done: torn down, and the document's errors arrive as ApiException with a problem+json body
        assertEquals(LabState.TEARING_DOWN, labs.deleteLab(lab.getId()).getState());
        UUID id = lab.getId();
        ApiException gone = assertThrows(ApiException.class, () -> labs.extendLab(id, new ExtendRequest().minutes(30)));
        assertEquals(409, gone.getCode());
        assertTrue(gone.getResponseBody().contains("\"status\":409"), gone.getResponseBody());
    }
}
