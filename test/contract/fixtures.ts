/**
 * Real files for connector tests: small images made with sharp (never photographs of people), in
 * throwaway folders under the OS temp dir.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A plain coloured image of the given format. */
export async function makeImage(
  format: 'jpeg' | 'png' | 'webp' | 'tiff' = 'jpeg',
  width = 64,
  height = 48,
  colour: { r: number; g: number; b: number } = { r: 200, g: 120, b: 40 },
): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: colour } });
  return img.toFormat(format).toBuffer();
}

/** Writes a file, creating its folders. */
export async function put(file: string, content: Buffer | string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** A fresh temp folder and a function removing it. */
export async function tempDir(prefix = 'sitter-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A digiKam/Exiv2-style sidecar: tags, a rating as an attribute, dc:subject, and someone else's face
 * region in both MWG and Microsoft People Tags form. Sitter must keep all of it.
 */
export const DIGIKAM_SIDECAR = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"
    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
    xmlns:MP="http://ns.microsoft.com/photo/1.2/"
    xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
    xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#"
   xmp:Rating="4">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>People/Carol Other</rdf:li>
     <rdf:li>Events/Gala</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>People|Carol Other</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Carol Other</rdf:li>
     <rdf:li>Gala</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <mwg-rs:Regions rdf:parseType="Resource">
    <mwg-rs:AppliedToDimensions stDim:w="64" stDim:h="48" stDim:unit="pixel"/>
    <mwg-rs:RegionList>
     <rdf:Bag>
      <rdf:li>
       <rdf:Description mwg-rs:Name="Carol Other" mwg-rs:Type="Face">
        <mwg-rs:Area stArea:x="0.5" stArea:y="0.5" stArea:w="0.2" stArea:h="0.3" stArea:unit="normalized"/>
       </rdf:Description>
      </rdf:li>
     </rdf:Bag>
    </mwg-rs:RegionList>
   </mwg-rs:Regions>
   <MP:RegionInfo rdf:parseType="Resource">
    <MPRI:Regions>
     <rdf:Bag>
      <rdf:li MPReg:Rectangle="0.4, 0.35, 0.2, 0.3" MPReg:PersonDisplayName="Carol Other"/>
     </rdf:Bag>
    </MPRI:Regions>
   </MP:RegionInfo>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

/**
 * `PushPayload.expectedContentHash` for a file as it is now (what a scan of it recorded), or a hash
 * no file has when it does not exist (the push is refused before the content matters).
 */
export function contentHashOf(file: string): string {
  // Not a regular file (missing, a FIFO, a device): a push is refused before the content matters.
  if (!existsSync(file) || !statSync(file).isFile()) return `sha256:${'0'.repeat(64)}`;
  return `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
}
