<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>LinxiaTianguan</name>
        <message>
            <source>&amp;Linxia farmland patrol</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Linxia farmland patrol</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>One-click space coding</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Decode a space code…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Validate space codes…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Settings…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space coding</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Patrol grid</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Maps and reports</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Decode a space code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;p&gt;Reads a space code (for example keyed in from a warning post): checks its check character and gives the county, township, village and group it belongs to, its sequence number and type. With the tianguan store it also says whether the code is active or retired and what it came from or became.&lt;/p&gt;</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>(unknown)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>County</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Township</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Village</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Group</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parcel type</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Status</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parent codes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Child codes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Message</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Tianguan store (GeoPackage)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Valid (1) or not (0)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Sequence</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>not in the store</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{code}: {county} {township} {village} {group}, No. {seq}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>farmland without contract parcel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>contract parcel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Not a valid space code: {reason}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>active since {when}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>retired on {when} ({reason})</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>County code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Township code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Village code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Group code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Land class code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Land class</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Survey patch id</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Shape area (m²)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Farmland area (m²)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Farmland area (mu)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Permanent basic farmland (m²)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Permanent basic farmland (mu)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contractor-issuer code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contractor code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Beidou grid code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Longitude</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Latitude</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>QR content</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding change</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coded at</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Remarks</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Warning</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Info</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Invalid geometry was repaired (make valid); check its shape.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Feature has no geometry and was skipped.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Geometry has no area after repair and was skipped.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Patch {key}: ZLDWDM holds no village code and no CJDCQ layer locates it, so it was not coded. Fill ZLDWDM or add the CJDCQ layer.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>DKBM {key} occurs on more than one contract parcel; each is coded separately. Correct the contract data.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel has no DKBM.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel {key}: neither FBFBM nor DKBM gives a group; the group was taken from its location.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel {key} lies outside survey farmland and got no code.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel {key} is wholly covered by contract parcels with a lower DKBM and got no code.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel {key} only grazes farmland (slivers) and got no code.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel {key} overlaps {other} by {value} m²; the overlap was coded with {other}.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Code {key} was retired ({other}).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Field {key} is numeric: 19-digit codes may have lost digits. Store codes as text.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Severity</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Issue type</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Issue</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Feature id</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Area (m²)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>split</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>merged</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>reshaped</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>deleted</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Linxia farmland patrol (临夏州耕地保护网格化巡田)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer “{layer}” has no .cpg file; its attributes are read as {encoding}.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer “{layer}” has no field “{field}” ({meaning}). Check that the right layer was chosen, or name the field in the advanced parameters.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;p&gt;Gives every farmland parcel of the county its space code (its “ID card”): each contract parcel clipped to survey farmland (耕地, DLBM 01xx), and each piece of farmland that no contract parcel covers.&lt;/p&gt;&lt;p&gt;Code = county 6 + township 3 + village 3 + group 2 + parcel sequence 5 + one ISO 7064 MOD 11-2 check character (20 characters). Within a group, numbers follow a Hilbert curve, so neighbouring parcels have close numbers; farmland without a contract parcel is numbered from 90001.&lt;/p&gt;&lt;p&gt;Re-coding keeps the code of every parcel that is still the same parcel (overlap IoU ≥ the threshold), gives new parcels the next unused number, records parents of split and merged parcels, and never reuses a retired code. With a 田管库 (GeoPackage store) the previous codes come from it and the run is recorded in it, all in one transaction.&lt;/p&gt;&lt;p&gt;Farmland strips narrower than the minimum width between contract parcels (田坎, slivers) are not coded on their own; uncovered farmland smaller than the minimum area neither. Invalid geometries are repaired and listed in the issues layer; inputs are never modified.&lt;/p&gt;</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reading survey farmland…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reading contract parcels…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Survey land-use patches (DLTB)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcels (DK)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Permanent basic farmland (YJJBNTTB)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Village survey areas (CJDCQ)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Previously coded parcels</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Land class field of DLTB</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Location unit code field of DLTB</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parcel code field of DK</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Issuer code field of DK</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>QR content template ({code} is replaced)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Minimum parcel width (m)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Minimum uncovered farmland area (m²)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Overlap (IoU) to keep a code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coded farmland parcels</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding issues</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parcels coded</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>New codes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Codes kept</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Codes retired</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Issues</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer DLTB has no valid coordinate reference system; set it first.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose the DLTB layer.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>land class code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>location unit code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>ownership unit code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>patch id</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>location unit name</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>patch class area</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>deduction coefficient</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>The QR content template must contain {code}.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No township could be derived from the inputs: check ZLDWDM of DLTB and DKBM/FBFBM of the contract parcels.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding was cancelled; nothing was written to the store.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Working CRS: {crs}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>contract parcel code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>issuer code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>contractor code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>space code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>coded at</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>coding run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>parent codes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding {n} townships on {w} threads…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coded {coded} parcels: {kept} kept, {new} new ({split} from splits, {merge} from merges), {retired} codes retired.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{n} × {message}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer “{layer}” has no farmland patches (DLBM 01xx) with a usable geometry. Check the layer, its selection and its land class field.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer “{layer}” has no contract parcels with a usable geometry. Check the layer and its selection, or leave the contract parcels empty to code survey farmland only.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coded township {key} ({done}/{total})</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Store {path}: {changes}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{area} m² of farmland strips narrower than the minimum width (田坎, slivers) were left to the parcels around them.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{n} active codes in the store are the previous coding.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Group {group} has run out of sequence numbers.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>updated</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>no change (identical input)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Cannot open the tianguan store {path}: {error}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Validate space codes</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>&lt;p&gt;Checks a coded parcel layer and lists every problem as a feature with its reason, so it can be fixed on the map:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;errors: malformed codes, wrong check characters, duplicate codes, overlapping parcels (the same ground coded twice), retired codes still in use;&lt;/li&gt;&lt;li&gt;warnings: code parts that disagree with the part fields or with the village the parcel lies in (with the CJDCQ layer), farmland without a code (with the DLTB layer), codes missing from or unknown to the tianguan store.&lt;/li&gt;&lt;/ul&gt;</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Malformed space code {code}: {other}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Wrong check character in {code}: {other}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code {code} is used by more than one parcel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parcel {code} overlaps parcel {other} by {value} m²</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code {code} was retired but is still in use</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code {code} disagrees with its part field {other}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code {code} is in another group than its issuer {other}</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code {code} names another village than where it lies ({other})</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Parcel {code} lies outside every village survey area</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Farmland of {value} m² has no space code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code {code} is not registered in the store</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Active space code {code} of the store is missing from the layer</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Reading coded parcels…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Looking for overlapping parcels…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Error</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Space code problems</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Errors</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Warnings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Choose the coded parcel layer.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Looking for farmland without a code…</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{errors} errors, {warnings} warnings, {infos} notes.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Layer “{layer}” is in geographic coordinates; validate the coded layer in its projected CRS.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Contract parcel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Farmland without contract parcel</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Retired at</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Retired by run</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Retire reason</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding started; progress is shown in the task bar.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding is already running.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>No DLTB layer is loaded: choose the layers in the dialog.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Coding failed or was cancelled; see the log panel ({tag}).</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{coded} parcels coded: {new} new, {kept} kept, {retired} retired, {issues} issues.</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>Linxia farmland patrol — settings</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>GeoPackage (*.gpkg)</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>{code} is replaced by the space code</source>
            <translation type="unfinished" />
        </message>
        <message>
            <source>QR content template</source>
            <translation type="unfinished" />
        </message>
    </context>
</TS>
