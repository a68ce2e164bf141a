package dev.labprovisioner.admin.rest;

import dev.labprovisioner.problem.ProblemException;

/** page and size query parameters, read as text so that "abc" is a 400 problem rather than JAX-RS's bare 404. */
record Paging(int page, int size) {

    static Paging of(String page, String size) {
        return new Paging(number("page", page), number("size", size));
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("'" + name + "' must be a whole number.");
        }
    }
}
