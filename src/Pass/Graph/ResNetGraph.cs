using SparseCore.Models.Zoo;

namespace SparseCore.Pass.Graph;

/// <summary>
/// A ResNet's graph, walked block by block in module order. The residual stream is followed as it
/// flows: the stem writes it, an identity block adds its last conv to it, a conv shortcut
/// (downsample.0, sharing the last conv's mask) or a zero-padding shortcut starts a new one. A
/// stream joins a residual group at its first add, so a stem whose output only feeds a conv
/// shortcut (ResNet-50) belongs to no group.
/// </summary>
internal static class ResNetGraph
{
    public static ChannelGraph Build(ResNet model)
    {
        var b = new GraphBuilder(model);
        int streamMask = b.OwnConv("conv1", b.NormAt("bn1"), null, null);
        var streamWriters = new List<string> { "conv1" };
        int? group = null;
        int streamWidth = b.Conv("conv1").OutChannels;

        var blocks = model.NamedModules().Where(m => m.Module is BasicBlock or Bottleneck).Select(m => m.Name).ToList();
        foreach (string block in blocks)
        {
            int convs = b.Get(block) is Bottleneck ? 3 : 2;
            int? previous = null;
            for (int k = 1; k <= convs; k++)
            {
                string conv = $"{block}.conv{k}";
                previous = k == 1
                    ? b.OwnConv(conv, b.NormAt($"{block}.bn{k}"), streamMask, group)
                    : b.OwnConv(conv, b.NormAt($"{block}.bn{k}"), previous, null);
            }
            string last = $"{block}.conv{convs}";
            int lastMask = previous!.Value;
            int width = b.Conv(last).OutChannels;

            string ds = $"{block}.downsample.0";
            bool convShortcut = b.Has(ds);
            if (convShortcut)
            {
                b.SharedConv(ds, b.NormAt($"{block}.downsample.1"), lastMask, streamMask, group);
                group = b.NewGroup(width);
            }
            else if (b.Has($"{block}.shortcut"))
            {
                group = b.NewGroup(width, StreamGroup(b, group, streamWriters, streamWidth), $"{block}.shortcut");
            }
            else if (group is null)
            {
                group = b.NewGroup(streamWidth);
                foreach (string writer in streamWriters) b.Writes(writer, group.Value);
            }
            b.Writes(last, group.Value);
            if (convShortcut) b.Writes(ds, group.Value);
            streamWriters = [last];
            streamMask = lastMask;
            streamWidth = width;
        }
        b.AddLinear("fc", streamMask, group);
        return b.Build(model.Spec.Name);
    }

    /// <summary>The group of the stream a padding shortcut reads, creating it when that stream has not been added to yet.</summary>
    private static int StreamGroup(GraphBuilder b, int? group, List<string> writers, int width)
    {
        if (group is int g) return g;
        int created = b.NewGroup(width);
        foreach (string writer in writers) b.Writes(writer, created);
        return created;
    }
}
