namespace SparseCore.Kernels.Optim;

/// <summary>
/// Per-element optimizer formulas shared by the CPU loops and the ILGPU kernels, so both backends
/// follow PyTorch's definitions from one source.
/// </summary>
public static class OptimMath
{
    /// <summary>SGD: d = g + wd·p; buf = first ? d : μ·buf + (1−τ)·d; d = nesterov ? d + μ·buf : buf.</summary>
    public static float SgdMomentum(float p, float g, float buf, float momentum, float dampening, float weightDecay, bool firstStep)
    {
        float d = g + weightDecay * p;
        return firstStep ? d : momentum * buf + (1f - dampening) * d;
    }

    public static float SgdParam(float p, float g, float buf, float lr, float momentum, float weightDecay, bool nesterov, bool hasMomentum)
    {
        float d = g + weightDecay * p;
        if (hasMomentum) d = nesterov ? d + momentum * buf : buf;
        return p - lr * d;
    }

    /// <summary>Adam's L2 decay, g + wd·p (wd is 0 for AdamW, whose decay scales p instead).</summary>
    public static float AdamGrad(float g, float p, float gradientDecay) => g + gradientDecay * p;

    public static float AdamM(float m, float g, float beta1, float oneMinusBeta1) => beta1 * m + oneMinusBeta1 * g;

    public static float AdamV(float v, float g, float beta2, float oneMinusBeta2) => beta2 * v + oneMinusBeta2 * g * g;

    /// <summary>
    /// p·scale (AdamW's decoupled decay; scale 1 for Adam), then torch's bias-corrected step with the
    /// new m, v in its order of operations: p − step_size·m / (√v / √(1 − β₂ᵗ) + eps).
    /// </summary>
    public static float AdamParam(float p, float m, float v, float paramScale, float stepSize, float biasCorrection2Sqrt, float eps)
    {
        float denom = MathF.Sqrt(v) / biasCorrection2Sqrt + eps;
        return p * paramScale - stepSize * m / denom;
    }
}
