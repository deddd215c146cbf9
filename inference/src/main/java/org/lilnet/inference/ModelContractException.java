package org.lilnet.inference;

import java.util.List;

/** Models refused at load: the manifest, a file or a graph does not fit the contract. The message names each difference. */
public final class ModelContractException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public ModelContractException(String what, List<String> problems) {
        super(what + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
