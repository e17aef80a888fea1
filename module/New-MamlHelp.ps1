# Writes the module's MAML help (en-US/MailQuotaPS.dll-Help.xml) from module/help/<Cmdlet>.psd1
# (description, examples, parameter texts that override), the XML doc comments of the cmdlet classes
# (synopsis and parameter texts) and the cmdlets' own metadata, so syntax, types and pipeline input
# never drift from the code.
# Run by build.ps1 in a child pwsh after the module is built.
param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $OutFile)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$module = Import-Module $ModulePath -PassThru
$sources = Join-Path $PSScriptRoot 'help'
$docFile = Join-Path $module.ModuleBase 'MailQuotaPS.xml'
$docs = @{}
if (Test-Path $docFile) {
    foreach ($m in ([xml](Get-Content $docFile -Raw)).doc.members.member) {
        $summary = $m.SelectSingleNode('summary')
        if ($summary) { $docs[$m.GetAttribute('name')] = (($summary.InnerText -replace '\s+', ' ').Trim()) }
    }
}
function Get-DocSummary([Type] $Type, [string] $Property) {
    if ($Property) {
        $declaring = $Type.GetProperty($Property).DeclaringType
        return $docs["P:$($declaring.FullName).$Property"]
    }
    $docs["T:$($Type.FullName)"]
}
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory (Split-Path $OutFile) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutFile, $settings)
$maml = 'http://schemas.microsoft.com/maml/2004/10'
$cmd = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
function Write-Para([string] $Text) {
    $w.WriteStartElement('maml', 'description', $maml)
    foreach ($p in ($Text -split "(\r?\n){2,}") | Where-Object { $_.Trim() }) { $w.WriteElementString('maml', 'para', $maml, $p.Trim()) }
    $w.WriteEndElement()
}
function Get-PipelineInput($p) {
    $kinds = @()
    if ($p.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($p.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}
function Write-Parameter($p, $set, [string] $Text) {
    $w.WriteStartElement('command', 'parameter', $cmd)
    $w.WriteAttributeString('required', "$($set.IsMandatory)".ToLower())
    $w.WriteAttributeString('globbing', 'false')
    $w.WriteAttributeString('pipelineInput', (Get-PipelineInput $set))
    $w.WriteAttributeString('position', $(if ($set.Position -ge 0) { "$($set.Position)" } else { 'named' }))
    $w.WriteElementString('maml', 'name', $maml, $p.Name)
    if ($null -ne $Text) { Write-Para $Text }
    $type = $p.ParameterType
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { $type = $underlying }
    if ($type -ne [System.Management.Automation.SwitchParameter]) {
        $w.WriteStartElement('command', 'parameterValue', $cmd); $w.WriteAttributeString('required', 'true'); $w.WriteString($type.Name); $w.WriteEndElement()
    }
    $w.WriteStartElement('dev', 'type', $dev); $w.WriteElementString('maml', 'name', $maml, $type.FullName); $w.WriteEndElement()
    $w.WriteEndElement()
}

$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
foreach ($c in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $sourceFile = Join-Path $sources "$($c.Name).psd1"
    if (-not (Test-Path $sourceFile)) { Write-Warning "No help source for $($c.Name) ($sourceFile)"; continue }
    $h = Import-PowerShellDataFile $sourceFile
    if (-not $h.ContainsKey('Synopsis')) { $h.Synopsis = Get-DocSummary $c.ImplementingType $null }
    if (-not $h.ContainsKey('Parameters')) { $h.Parameters = @{} }
    $w.WriteStartElement('command', 'command', $cmd)
    $w.WriteAttributeString('xmlns', 'maml', $null, $maml); $w.WriteAttributeString('xmlns', 'dev', $null, $dev)
    $w.WriteStartElement('command', 'details', $cmd)
    $w.WriteElementString('command', 'name', $cmd, $c.Name)
    Write-Para $h.Synopsis
    $w.WriteElementString('command', 'verb', $cmd, $c.Verb); $w.WriteElementString('command', 'noun', $cmd, $c.Noun)
    $w.WriteEndElement()
    Write-Para $h.Description
    $w.WriteStartElement('command', 'syntax', $cmd)
    foreach ($set in $c.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $cmd); $w.WriteElementString('maml', 'name', $maml, $c.Name)
        foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            $attr = $c.Parameters[$sp.Name].ParameterSets[$set.Name]
            if (-not $attr) { $attr = $c.Parameters[$sp.Name].ParameterSets['__AllParameterSets'] }
            Write-Parameter $c.Parameters[$sp.Name] $attr $null
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteStartElement('command', 'parameters', $cmd)
    foreach ($p in $c.Parameters.Values | Where-Object { $_.Name -notin $common } | Sort-Object Name) {
        $text = $h.Parameters[$p.Name]
        if (-not $text) { $text = Get-DocSummary $c.ImplementingType $p.Name }
        if (-not $text) { Write-Warning "No help for -$($p.Name) of $($c.Name)" }
        Write-Parameter $p @($p.ParameterSets.Values)[0] $text
    }
    $w.WriteEndElement()
    $w.WriteStartElement('command', 'returnValues', $cmd)
    foreach ($t in $c.OutputType) {
        $w.WriteStartElement('command', 'returnValue', $cmd); $w.WriteStartElement('dev', 'type', $dev)
        $w.WriteElementString('maml', 'name', $maml, $t.Name); $w.WriteEndElement(); $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteStartElement('command', 'examples', $cmd)
    $n = 0
    foreach ($e in $h.Examples) {
        $n++
        $w.WriteStartElement('command', 'example', $cmd)
        $w.WriteElementString('maml', 'title', $maml, "-------------------------- Example $n --------------------------")
        $w.WriteElementString('dev', 'code', $dev, $e.Code)
        $w.WriteStartElement('dev', 'remarks', $dev); $w.WriteElementString('maml', 'para', $maml, $e.Remarks); $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.Close()
