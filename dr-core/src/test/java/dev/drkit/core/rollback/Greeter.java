package dev.drkit.core.rollback;

/** The interface the versions under test implement. */
interface Greeter {
    String greet(String who);

    static Greeter saying(String word) {
        return who -> word + " " + who;
    }

    static Greeter failing(String message) {
        return who -> {
            throw new IllegalStateException(message);
        };
    }
}
