package dev.labprovisioner.problem;

/** The one paging rule of every list endpoint: pages from 0, 1 to 100 items a page; 400 otherwise. */
public final class Paging {

    public static final int MAX_SIZE = 100;

    private Paging() {
    }

    /** A paging query parameter as given ({@code page}, {@code size}): a whole number, or a 400 that says so. */
    public static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest("'" + name + "' must be a whole number.");
        }
    }

    public static void require(int page, int size) {
        if (page < 0) {
            throw ProblemException.badRequest("'page' starts at 0.");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw ProblemException.badRequest("'size' must be between 1 and " + MAX_SIZE + ".");
        }
        if ((long) page * size > Integer.MAX_VALUE) {
            // the offset would overflow; no list is that long
            throw ProblemException.badRequest("'page' is too large: page × size must stay below " + Integer.MAX_VALUE + ".");
        }
    }
}
