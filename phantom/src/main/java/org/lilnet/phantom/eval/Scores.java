package org.lilnet.phantom.eval;

/**
 * The paper's classification figures for one task. F1, recall and precision are averaged over the classes weighted
 * by their support (as the paper's figures are: its recall equals its accuracy); the macro averages are the plain
 * means over the classes present. AUC: of p(positive) for two classes, one-vs-rest macro average for three.
 */
public record Scores(double acc, double auc, double f1, double recall, double precision, double macroF1, double macroRecall,
                     double macroPrecision) {

    /** The figures by name, in the order they are printed. */
    public double get(String name) {
        return switch (name) {
            case "ACC" -> acc;
            case "AUC" -> auc;
            case "F1" -> f1;
            case "recall" -> recall;
            case "precision" -> precision;
            case "macroF1" -> macroF1;
            case "macroRecall" -> macroRecall;
            case "macroPrecision" -> macroPrecision;
            default -> throw new IllegalArgumentException(name);
        };
    }

    public static final String[] NAMES = {"ACC", "AUC", "F1", "recall", "precision", "macroF1", "macroRecall", "macroPrecision"};
}
