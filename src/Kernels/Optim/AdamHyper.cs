namespace SparseCore.Kernels.Optim;

/// <summary>
/// One step of torch.optim.Adam or torch.optim.AdamW (PyTorch 1.13), which differ only in where the
/// weight decay acts: Adam adds wd·p to the gradient before the moments (L2, coupled), AdamW scales
/// p by 1 − lr·wd before the step (<see cref="DecoupledDecay"/>). Step counts from 1.
/// The betas are doubles, and the derived scalars below are computed in double and rounded once, as
/// torch computes them in Python: from 0.999f, 1 − β₂ would be 1.3e-5 off (relative) and show in
/// every second moment.
/// </summary>
public readonly record struct AdamHyper(
    float Lr, double Beta1 = 0.9, double Beta2 = 0.999, float Eps = 1e-8f,
    float WeightDecay = 0f, int Step = 1, bool DecoupledDecay = false)
{
    public float OneMinusBeta1 => (float)(1 - Beta1);
    public float OneMinusBeta2 => (float)(1 - Beta2);

    /// <summary>torch's step_size, lr / (1 − β₁ᵗ).</summary>
    public float StepSize => (float)(Lr / (1 - Math.Pow(Beta1, Step)));

    /// <summary>torch's bias_correction2_sqrt, √(1 − β₂ᵗ).</summary>
    public float BiasCorrection2Sqrt => (float)Math.Sqrt(1 - Math.Pow(Beta2, Step));

    /// <summary>The factor of p added to the gradient: wd for Adam, 0 for AdamW.</summary>
    public float GradientDecay => DecoupledDecay ? 0f : WeightDecay;

    /// <summary>The factor p is scaled by before the step: 1 − lr·wd for AdamW, 1 for Adam.</summary>
    public float ParamScale => DecoupledDecay ? (float)(1 - (double)Lr * WeightDecay) : 1f;
}
