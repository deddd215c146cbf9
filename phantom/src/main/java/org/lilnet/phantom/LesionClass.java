package org.lilnet.phantom;

/** The six LiLNet lesion classes; label names are the ones of the model contract (M: HCC, ICC, MET; B: FNH, HEM, CYST). */
public enum LesionClass {
    HCC(true), ICC(true), MET(true), FNH(false), HEM(false), CYST(false);

    private final boolean malignant;

    LesionClass(boolean malignant) {
        this.malignant = malignant;
    }

    public boolean malignant() {
        return malignant;
    }

    /** "malignant" or "benign": the BM label of the class. */
    public String malignancy() {
        return malignant ? "malignant" : "benign";
    }

    /** Index in the label order of the subtype model of its branch (M: HCC, ICC, MET; B: FNH, HEM, CYST). */
    public int subtypeIndex() {
        return ordinal() % 3;
    }
}
