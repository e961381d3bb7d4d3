namespace SparseCore.Tensors.Tests.Reference;

/// <summary>Masked-channel ops in plain double loops over [outer, channels, inner] views.</summary>
public static class MaskedRefOps
{
    /// <summary>y[o, j, i] = x[o, kept[j], i]; backward scatters into zeros.</summary>
    public static RefOp Gather(int outer, int width, int inner, int[] kept, int[] outShape) => new("GatherChannels",
        xs => new RefTensor(Take(xs[0].Data, outer, width, inner, kept), outShape),
        (xs, g) => [new RefTensor(Place(g.Data, outer, width, inner, kept), xs[0].Shape)]);

    /// <summary>x[o, kept[j], i] = y[o, j, i], zeros elsewhere; backward gathers.</summary>
    public static RefOp Scatter(int outer, int width, int inner, int[] kept, int[] outShape) => new("ScatterChannels",
        xs => new RefTensor(Place(xs[0].Data, outer, width, inner, kept), outShape),
        (xs, g) => [new RefTensor(Take(g.Data, outer, width, inner, kept), xs[0].Shape)]);

    public static double[] Take(double[] x, int outer, int width, int inner, int[] kept)
    {
        var y = new double[outer * kept.Length * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < kept.Length; j++)
                for (int i = 0; i < inner; i++) y[(o * kept.Length + j) * inner + i] = x[(o * width + kept[j]) * inner + i];
        return y;
    }

    public static double[] Place(double[] y, int outer, int width, int inner, int[] kept)
    {
        var x = new double[outer * width * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < kept.Length; j++)
                for (int i = 0; i < inner; i++) x[(o * width + kept[j]) * inner + i] = y[(o * kept.Length + j) * inner + i];
        return x;
    }

    /// <summary>
    /// Ŵ[o, c, k] = W[o, c, k]·mOut[o]·mIn[c] over inputs [W, mOut] or [W, mOut, mIn]; gradients
    /// dW = dŴ·mOut·mIn, dmOut[o] = Σ_{c,k} dŴ·W·mIn[c], dmIn[c] = Σ_{o,k} dŴ·W·mOut[o].
    /// </summary>
    public static RefOp MaskWeight(int outChannels, int inChannels, int area) => new("MaskWeight",
        xs =>
        {
            var (w, mo) = (xs[0], xs[1]);
            var y = new double[w.Size];
            for (int o = 0; o < outChannels; o++)
                for (int c = 0; c < inChannels; c++)
                    for (int k = 0; k < area; k++)
                    {
                        int j = (o * inChannels + c) * area + k;
                        y[j] = w.Data[j] * mo.Data[o] * (xs.Length > 2 ? xs[2].Data[c] : 1);
                    }
            return new RefTensor(y, w.Shape);
        },
        (xs, g) =>
        {
            var (w, mo) = (xs[0], xs[1]);
            bool hasIn = xs.Length > 2;
            var dw = new double[w.Size];
            var dmo = new double[outChannels];
            var dmi = new double[inChannels];
            for (int o = 0; o < outChannels; o++)
                for (int c = 0; c < inChannels; c++)
                {
                    double mi = hasIn ? xs[2].Data[c] : 1;
                    for (int k = 0; k < area; k++)
                    {
                        int j = (o * inChannels + c) * area + k;
                        dw[j] = g.Data[j] * mo.Data[o] * mi;
                        dmo[o] += g.Data[j] * w.Data[j] * mi;
                        dmi[c] += g.Data[j] * w.Data[j] * mo.Data[o];
                    }
                }
            RefTensor[] grads = [new RefTensor(dw, w.Shape), new RefTensor(dmo, mo.Shape)];
            return hasIn ? [.. grads, new RefTensor(dmi, xs[2].Shape)] : grads;
        });
}
