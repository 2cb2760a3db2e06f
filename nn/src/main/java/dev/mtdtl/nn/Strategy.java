package dev.mtdtl.nn;

/**
 * Where the base network branches into per-source paths (digest section 4; PT {@code branch_at}).
 * The base network is cut into {@link MultiSourceNet#STAGES} = 9 stages: the seven conv blocks
 * (conv+BN+ReLU[+pool]) 1, 2, 3, 4, 5, 61, 62, then global average pooling, then the feature block
 * (fc_feature+BN+ReLU+dropout). {@link #sharedStages()} of them form the shared trunk; each source
 * owns the rest plus its output head. "@k" means conv k is the first source-specific conv.
 */
public enum Strategy {
    /** Single-source representation: one source, nothing to share (built like MSS-CR with m = 1). */
    SSR("ssr", 0),
    /** No shared layers: one full network per source, trained in one run (PT 'null'). */
    MSSCR("msscr", 0),
    /** Shared conv1 (+pool); conv2 onwards per source. */
    MSCR2("mscr2", 1),
    /** Shared conv1..conv3. */
    MSCR4("mscr4", 3),
    /** Shared conv1..conv5. */
    MSCR6("mscr6", 5),
    /** Everything shared through fc_feature+BN+ReLU+dropout; one output layer (or Siamese head) per source. */
    MSSRFC("mssrfc", 9);

    private final String id;
    private final int sharedStages;

    Strategy(String id, int sharedStages) {
        this.id = id;
        this.sharedStages = sharedStages;
    }

    public String id() {
        return id;
    }

    /** Number of leading stages of the base network in the shared trunk (0..9). */
    public int sharedStages() {
        return sharedStages;
    }

    public static Strategy of(String id) {
        for (Strategy s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown strategy '" + id + "' (expected ssr, msscr, mscr2, mscr4, mscr6 "
                + "or mssrfc)");
    }
}
