package dev.labprovisioner.learner;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

/** The learner page as served: readable without JavaScript, with steps, checks and clear states. */
@QuarkusTest
class LearnerPageTests {

    @Test
    void thePageShowsTheStepsTheConnectionAndACheckFormThatWorksWithoutJavaScript() {
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("page"), "k8s-101").statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        String token = url.substring(url.lastIndexOf('/') + 1);
        String namespace = created.path("namespace");
        Api.awaitState(lms, id, "READY");

        RestAssured.given().accept("text/html").get("/learn/" + token).then().statusCode(200)
                .contentType("text/html")
                .header("Cache-Control", "no-store")
                .body(allOf(containsString("PostgreSQL on a StatefulSet"),
                        containsString("<h2 id=\"step-title-what-is-a-statefulset\">What a StatefulSet is, and when to use one</h2>"),
                        containsString("<pre><code class=\"language-sh\">"),
                        containsString("<code>" + namespace + "</code>"),
                        containsString("Download your kubeconfig"),
                        containsString("action=\"/learn/" + token + "/checkpoints/stable-identity/check\""),
                        containsString("Let the service prove it"),
                        containsString("SQL box"),
                        containsString("Not checked"),
                        not(containsString("\"status\":"))));

        // The Check button without JavaScript: a form post, then back to the checkpoint on the page.
        RestAssured.given().redirects().follow(false).post("/learn/" + token + "/checkpoints/stable-identity/check").then()
                .statusCode(303).header("Location", containsString("/learn/" + token + "#cp-stable-identity"));
        RestAssured.given().get("/learn/" + token).then().statusCode(200)
                .body(containsString("class=\"checkpoint status-PASSED\" id=\"cp-stable-identity\""));
    }

    @Test
    void aForgedOrEndedLinkGetsAFriendlyPageWithTheRightStatus() {
        RestAssured.given().accept("text/html").get("/learn/not-a-real-token").then().statusCode(404).contentType("text/html")
                .body(containsString("This lab link is not valid"));
        String lms = Api.lmsClient();
        var created = Api.createLab(lms, Api.unique("ended"), "k8s-101").statusCode(202).extract();
        String id = created.path("id");
        String url = created.path("learnerUrl");
        Api.awaitState(lms, id, "READY");
        Api.as(lms).delete("/api/v1/labs/" + id).then().statusCode(202);
        RestAssured.given().accept("text/html,application/xhtml+xml").get(url.substring(url.indexOf("/learn/"))).then().statusCode(410).contentType("text/html")
                .body(containsString("This lab has ended"));
        // Not a browser (curl's Accept: */*): the API's error shape.
        RestAssured.given().accept("*/*").get(url.substring(url.indexOf("/learn/"))).then().statusCode(410)
                .contentType("application/problem+json");
    }
}
