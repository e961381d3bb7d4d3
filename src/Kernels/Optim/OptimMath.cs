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

    public static float AdamM(float m, float g, float beta1) => beta1 * m + (1f - beta1) * g;

    public static float AdamV(float v, float g, float beta2) => beta2 * v + (1f - beta2) * g * g;

    /// <summary>Decoupled decay p·(1 − lr·wd), then the bias-corrected Adam step with the new m, v.</summary>
    public static float AdamWParam(float p, float m, float v, float lr, float eps, float weightDecay, float biasCorrection1, float biasCorrection2)
    {
        float decayed = p * (1f - lr * weightDecay);
        float mHat = m / biasCorrection1;
        float vHat = v / biasCorrection2;
        return decayed - lr * mHat / (MathF.Sqrt(vHat) + eps);
    }
}
