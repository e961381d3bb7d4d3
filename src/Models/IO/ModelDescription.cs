namespace SparseCore.Models.IO;

/// <summary>
/// What is needed to rebuild a network before loading its weights: the backbone's name, the input
/// it was built for, and — for a pruned network — its per-layer widths in
/// <see cref="Zoo.LayerWidths"/>' text form ("conv1=12,layer1.0.conv1=9,…"; null for the dense default),
/// and for a network that runs behind a learned visual prompt, the prompt's spec ("pad:2"; null for
/// none), which the layer that knows prompts (SparseCore.Pass) parses. <see cref="PromptAtTest"/>
/// false evaluates the network without its prompt (VPNs' code tests that way). A reused source head
/// of <see cref="Classes"/> outputs answers the downstream task through <see cref="LabelMap"/>: the
/// source class of each target class, comma-separated ("3,0,7"; null for the head's own classes).
/// </summary>
public sealed record ModelDescription(string Name, int Channels, int Height, int Width, int Classes, string? Widths = null, string? Prompt = null,
                                      bool PromptAtTest = true, string? LabelMap = null)
{
    /// <summary>The classes the network answers: the label map's length, else the head's.</summary>
    public int TargetClasses => LabelMap is null ? Classes : LabelMap.Split(',').Length;
}
