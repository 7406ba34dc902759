<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>LinxiaTianguan</name>
        <message>
            <source>&amp;Linxia farmland patrol</source>
            <translation>临夏田管(&amp;L)</translation>
        </message>
        <message>
            <source>Linxia farmland patrol</source>
            <translation>临夏田管</translation>
        </message>
        <message>
            <source>One-click space coding</source>
            <translation>一键赋码</translation>
        </message>
        <message>
            <source>Decode a space code…</source>
            <translation>解析空间码…</translation>
        </message>
        <message>
            <source>Validate space codes…</source>
            <translation>校验空间码…</translation>
        </message>
        <message>
            <source>Settings…</source>
            <translation>设置…</translation>
        </message>
        <message>
            <source>Space coding</source>
            <translation>空间赋码</translation>
        </message>
        <message>
            <source>Patrol grid</source>
            <translation>巡田网格</translation>
        </message>
        <message>
            <source>Officers and patrol tasks</source>
            <translation>田管员与巡田任务</translation>
        </message>
        <message>
            <source>Maps and reports</source>
            <translation>专题图与报表</translation>
        </message>
        <message>
            <source>Decode a space code</source>
            <translation>解析空间码</translation>
        </message>
        <message>
            <source>&lt;p&gt;Reads a space code (for example keyed in from a warning post): checks its check character and gives the county, township, village and group it belongs to, its sequence number and type. With the tianguan store it also says whether the code is active or retired and what it came from or became.&lt;/p&gt;</source>
            <translation>&lt;p&gt;解析一个空间码（例如从警示桩上抄录的）：核对校验码，给出其所属的县、乡镇、村、社以及地块顺序号和类型。指定田管库时，还会给出该码是现行还是已注销，以及它的父码和子码。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>(unknown)</source>
            <translation>（未知）</translation>
        </message>
        <message>
            <source>County</source>
            <translation>县</translation>
        </message>
        <message>
            <source>Township</source>
            <translation>乡镇</translation>
        </message>
        <message>
            <source>Village</source>
            <translation>村</translation>
        </message>
        <message>
            <source>Group</source>
            <translation>社（组）</translation>
        </message>
        <message>
            <source>Parcel type</source>
            <translation>地块类型</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Parent codes</source>
            <translation>父码</translation>
        </message>
        <message>
            <source>Child codes</source>
            <translation>子码</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>信息</translation>
        </message>
        <message>
            <source>Space code</source>
            <translation>空间码</translation>
        </message>
        <message>
            <source>Tianguan store (GeoPackage)</source>
            <translation>田管库（GeoPackage）</translation>
        </message>
        <message>
            <source>Valid (1) or not (0)</source>
            <translation>是否有效（1 是，0 否）</translation>
        </message>
        <message>
            <source>Sequence</source>
            <translation>顺序号</translation>
        </message>
        <message>
            <source>not in the store</source>
            <translation>不在田管库中</translation>
        </message>
        <message>
            <source>{code}: {county} {township} {village} {group}, No. {seq}</source>
            <translation>{code}：{county} {township} {village} {group}，第 {seq} 号</translation>
        </message>
        <message>
            <source>farmland without contract parcel</source>
            <translation>未承包耕地</translation>
        </message>
        <message>
            <source>contract parcel</source>
            <translation>承包地块</translation>
        </message>
        <message>
            <source>Not a valid space code: {reason}</source>
            <translation>不是有效的空间码：{reason}</translation>
        </message>
        <message>
            <source>active since {when}</source>
            <translation>现行，自 {when} 起</translation>
        </message>
        <message>
            <source>retired on {when} ({reason})</source>
            <translation>已于 {when} 注销（{reason}）</translation>
        </message>
        <message>
            <source>County code</source>
            <translation>县级代码</translation>
        </message>
        <message>
            <source>Township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <source>Village code</source>
            <translation>村代码</translation>
        </message>
        <message>
            <source>Group code</source>
            <translation>组（社）代码</translation>
        </message>
        <message>
            <source>Land class code</source>
            <translation>地类编码</translation>
        </message>
        <message>
            <source>Land class</source>
            <translation>地类名称</translation>
        </message>
        <message>
            <source>Survey patch id</source>
            <translation>三调图斑标识码</translation>
        </message>
        <message>
            <source>Shape area (m²)</source>
            <translation>图形面积（㎡）</translation>
        </message>
        <message>
            <source>Farmland area (m²)</source>
            <translation>耕地面积（㎡）</translation>
        </message>
        <message>
            <source>Farmland area (mu)</source>
            <translation>耕地面积（亩）</translation>
        </message>
        <message>
            <source>Permanent basic farmland (m²)</source>
            <translation>永久基本农田面积（㎡）</translation>
        </message>
        <message>
            <source>Permanent basic farmland (mu)</source>
            <translation>永久基本农田面积（亩）</translation>
        </message>
        <message>
            <source>Contract parcel code</source>
            <translation>承包地块编码</translation>
        </message>
        <message>
            <source>Contractor-issuer code</source>
            <translation>发包方编码</translation>
        </message>
        <message>
            <source>Contractor code</source>
            <translation>承包方编码</translation>
        </message>
        <message>
            <source>Beidou grid code</source>
            <translation>北斗网格位置码</translation>
        </message>
        <message>
            <source>Longitude</source>
            <translation>经度</translation>
        </message>
        <message>
            <source>Latitude</source>
            <translation>纬度</translation>
        </message>
        <message>
            <source>QR content</source>
            <translation>二维码内容</translation>
        </message>
        <message>
            <source>Coding change</source>
            <translation>赋码变更类型</translation>
        </message>
        <message>
            <source>Coded at</source>
            <translation>赋码时间</translation>
        </message>
        <message>
            <source>Coding run</source>
            <translation>赋码批次</translation>
        </message>
        <message>
            <source>Remarks</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Warning</source>
            <translation>警告</translation>
        </message>
        <message>
            <source>Info</source>
            <translation>提示</translation>
        </message>
        <message>
            <source>Invalid geometry was repaired (make valid); check its shape.</source>
            <translation>几何无效，已自动修复（make valid），请核查其形状。</translation>
        </message>
        <message>
            <source>Feature has no geometry and was skipped.</source>
            <translation>要素没有几何，已跳过。</translation>
        </message>
        <message>
            <source>Geometry has no area after repair and was skipped.</source>
            <translation>几何修复后没有面积，已跳过。</translation>
        </message>
        <message>
            <source>Patch {key}: ZLDWDM holds no village code and no CJDCQ layer locates it, so it was not coded. Fill ZLDWDM or add the CJDCQ layer.</source>
            <translation>图斑 {key}：坐落单位代码 ZLDWDM 中没有村代码，也没有村级调查区（CJDCQ）图层可以定位，未赋码。请补全 ZLDWDM 或加入 CJDCQ 图层。</translation>
        </message>
        <message>
            <source>DKBM {key} occurs on more than one contract parcel; each is coded separately. Correct the contract data.</source>
            <translation>地块编码 DKBM {key} 在多个承包地块上重复出现，已分别赋码。请更正承包地数据。</translation>
        </message>
        <message>
            <source>Contract parcel has no DKBM.</source>
            <translation>承包地块没有地块编码（DKBM）。</translation>
        </message>
        <message>
            <source>Contract parcel {key}: neither FBFBM nor DKBM gives a group; the group was taken from its location.</source>
            <translation>承包地块 {key}：发包方编码和地块编码都无法确定所属的社，已按位置确定。</translation>
        </message>
        <message>
            <source>Contract parcel {key} lies outside survey farmland and got no code.</source>
            <translation>承包地块 {key} 不在三调耕地上，未赋码。</translation>
        </message>
        <message>
            <source>Contract parcel {key} is wholly covered by contract parcels with a lower DKBM and got no code.</source>
            <translation>承包地块 {key} 被编码较小的承包地块完全覆盖，未赋码。</translation>
        </message>
        <message>
            <source>Contract parcel {key} only grazes farmland (slivers) and got no code.</source>
            <translation>承包地块 {key} 只有细条擦到耕地，未赋码。</translation>
        </message>
        <message>
            <source>Contract parcel {key} overlaps {other} by {value} m²; the overlap was coded with {other}.</source>
            <translation>承包地块 {key} 与 {other} 重叠 {value} ㎡，重叠部分归入 {other}。</translation>
        </message>
        <message>
            <source>Patch {key}: a farmland strip of {value} m² narrower than the minimum width (田坎 or gap between parcels) has no code.</source>
            <translation>图斑 {key}：有 {value} ㎡ 窄于最小宽度的耕地细条（田坎或地块间缝隙），未赋码。</translation>
        </message>
        <message>
            <source>Code {key} was retired ({other}).</source>
            <translation>空间码 {key} 已注销（{other}）。</translation>
        </message>
        <message>
            <source>Field {key} is numeric: 19-digit codes may have lost digits. Store codes as text.</source>
            <translation>字段 {key} 是数值类型，19 位编码可能已丢失精度。请以文本类型存储编码。</translation>
        </message>
        <message>
            <source>Severity</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Issue type</source>
            <translation>问题类型</translation>
        </message>
        <message>
            <source>Issue</source>
            <translation>问题</translation>
        </message>
        <message>
            <source>Layer</source>
            <translation>图层</translation>
        </message>
        <message>
            <source>Feature id</source>
            <translation>要素 ID</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>编码</translation>
        </message>
        <message>
            <source>Area (m²)</source>
            <translation>面积（㎡）</translation>
        </message>
        <message>
            <source>split</source>
            <translation>分割</translation>
        </message>
        <message>
            <source>merged</source>
            <translation>合并</translation>
        </message>
        <message>
            <source>reshaped</source>
            <translation>调整</translation>
        </message>
        <message>
            <source>deleted</source>
            <translation>删除</translation>
        </message>
        <message>
            <source>Linxia farmland patrol (临夏州耕地保护网格化巡田)</source>
            <translation>临夏州耕地保护网格化巡田</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no .cpg file; its attributes are read as {encoding}.</source>
            <translation>图层“{layer}”没有 .cpg 文件，属性按 {encoding} 编码读取。</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no field “{field}” ({meaning}). Check that the right layer was chosen, or name the field in the advanced parameters.</source>
            <translation>图层“{layer}”缺少字段“{field}”（{meaning}）。请检查是否选对了图层，或在高级参数中指定该字段。</translation>
        </message>
        <message>
            <source>&lt;p&gt;Gives every farmland parcel of the county its space code (its “ID card”): each contract parcel clipped to survey farmland (耕地, DLBM 01xx), and each piece of farmland that no contract parcel covers.&lt;/p&gt;&lt;p&gt;Code = county 6 + township 3 + village 3 + group 2 + parcel sequence 5 + one ISO 7064 MOD 11-2 check character (20 characters). Within a group, numbers follow a Hilbert curve, so neighbouring parcels have close numbers; farmland without a contract parcel is numbered from 90001.&lt;/p&gt;&lt;p&gt;Re-coding keeps the code of every parcel that is still the same parcel (overlap IoU ≥ the threshold), gives new parcels the next unused number, records parents of split and merged parcels, and never reuses a retired code. With a 田管库 (GeoPackage store) the previous codes come from it and the run is recorded in it, all in one transaction.&lt;/p&gt;&lt;p&gt;Farmland strips narrower than the minimum width between contract parcels (田坎, slivers) are not coded on their own; uncovered farmland smaller than the minimum area neither. Invalid geometries are repaired and listed in the issues layer; inputs are never modified.&lt;/p&gt;</source>
            <translation>&lt;p&gt;为全县每一块耕地生成空间码（地块“身份证”）：每个承包地块按三调耕地（DLBM 01xx）裁切后赋一个码，没有承包地块覆盖的耕地也各赋一个码。&lt;/p&gt;&lt;p&gt;空间码 = 县 6 位 + 乡镇 3 位 + 村 3 位 + 社 2 位 + 地块顺序号 5 位 + 1 位 ISO 7064 MOD 11-2 校验码，共 20 位。同一社内按希尔伯特曲线编号，地面上相邻的地块编号相近；未承包耕地从 90001 起编号。&lt;/p&gt;&lt;p&gt;重新赋码时，仍是同一地块（重叠度 IoU 不低于阈值）的保留原码；新地块取该社下一个未用过的号；分割、合并的地块记录父码；已注销的编码永不复用。指定田管库（GeoPackage）时，以其中的现行编码为上次结果，并在一个事务中记录本次赋码。&lt;/p&gt;&lt;p&gt;承包地块之间窄于最小宽度的耕地细条（田坎、缝隙）不单独赋码，小于最小面积的未承包耕地也不单独赋码。无效几何自动修复并列入问题清单；输入图层从不修改。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Reading survey farmland…</source>
            <translation>正在读取三调耕地…</translation>
        </message>
        <message>
            <source>Reading contract parcels…</source>
            <translation>正在读取承包地块…</translation>
        </message>
        <message>
            <source>Survey land-use patches (DLTB)</source>
            <translation>三调地类图斑（DLTB）</translation>
        </message>
        <message>
            <source>Contract parcels (DK)</source>
            <translation>承包地块（DK）</translation>
        </message>
        <message>
            <source>Permanent basic farmland (YJJBNTTB)</source>
            <translation>永久基本农田（YJJBNTTB）</translation>
        </message>
        <message>
            <source>Village survey areas (CJDCQ)</source>
            <translation>村级调查区（CJDCQ）</translation>
        </message>
        <message>
            <source>Previously coded parcels</source>
            <translation>上次赋码结果</translation>
        </message>
        <message>
            <source>Land class field of DLTB</source>
            <translation>DLTB 的地类编码字段</translation>
        </message>
        <message>
            <source>Location unit code field of DLTB</source>
            <translation>DLTB 的坐落单位代码字段</translation>
        </message>
        <message>
            <source>Parcel code field of DK</source>
            <translation>承包地块的地块编码字段</translation>
        </message>
        <message>
            <source>Issuer code field of DK</source>
            <translation>承包地块的发包方编码字段</translation>
        </message>
        <message>
            <source>QR content template ({code} is replaced)</source>
            <translation>二维码内容模板（{code} 替换为空间码）</translation>
        </message>
        <message>
            <source>Minimum parcel width (m)</source>
            <translation>地块最小宽度（米）</translation>
        </message>
        <message>
            <source>Minimum uncovered farmland area (m²)</source>
            <translation>未承包耕地最小面积（㎡）</translation>
        </message>
        <message>
            <source>Overlap (IoU) to keep a code</source>
            <translation>保留原码的重叠度（IoU）</translation>
        </message>
        <message>
            <source>Coded farmland parcels</source>
            <translation>耕地地块（空间码）</translation>
        </message>
        <message>
            <source>Coding issues</source>
            <translation>赋码问题清单</translation>
        </message>
        <message>
            <source>Parcels coded</source>
            <translation>赋码地块数</translation>
        </message>
        <message>
            <source>New codes</source>
            <translation>新增编码数</translation>
        </message>
        <message>
            <source>Codes kept</source>
            <translation>保留编码数</translation>
        </message>
        <message>
            <source>Codes retired</source>
            <translation>注销编码数</translation>
        </message>
        <message>
            <source>Issues</source>
            <translation>问题数</translation>
        </message>
        <message>
            <source>Layer DLTB has no valid coordinate reference system; set it first.</source>
            <translation>DLTB 图层没有有效的坐标参考系，请先设置。</translation>
        </message>
        <message>
            <source>Choose the DLTB layer.</source>
            <translation>请选择 DLTB 图层。</translation>
        </message>
        <message>
            <source>land class code</source>
            <translation>地类编码</translation>
        </message>
        <message>
            <source>location unit code</source>
            <translation>坐落单位代码</translation>
        </message>
        <message>
            <source>ownership unit code</source>
            <translation>权属单位代码</translation>
        </message>
        <message>
            <source>patch id</source>
            <translation>标识码</translation>
        </message>
        <message>
            <source>location unit name</source>
            <translation>坐落单位名称</translation>
        </message>
        <message>
            <source>patch class area</source>
            <translation>图斑地类面积</translation>
        </message>
        <message>
            <source>deduction coefficient</source>
            <translation>扣除系数</translation>
        </message>
        <message>
            <source>The QR content template must contain {code}.</source>
            <translation>二维码内容模板必须包含 {code}。</translation>
        </message>
        <message>
            <source>No township could be derived from the inputs: check ZLDWDM of DLTB and DKBM/FBFBM of the contract parcels.</source>
            <translation>无法从输入数据确定任何乡镇：请检查 DLTB 的 ZLDWDM 和承包地块的 DKBM/FBFBM。</translation>
        </message>
        <message>
            <source>Coding was cancelled; nothing was written to the store.</source>
            <translation>赋码已取消，田管库未作任何改动。</translation>
        </message>
        <message>
            <source>Working CRS: {crs}</source>
            <translation>计算坐标系：{crs}</translation>
        </message>
        <message>
            <source>contract parcel code</source>
            <translation>地块编码</translation>
        </message>
        <message>
            <source>issuer code</source>
            <translation>发包方编码</translation>
        </message>
        <message>
            <source>contractor code</source>
            <translation>承包方编码</translation>
        </message>
        <message>
            <source>space code</source>
            <translation>空间码</translation>
        </message>
        <message>
            <source>coded at</source>
            <translation>赋码时间</translation>
        </message>
        <message>
            <source>coding run</source>
            <translation>赋码批次</translation>
        </message>
        <message>
            <source>parent codes</source>
            <translation>父码</translation>
        </message>
        <message>
            <source>Coding {n} townships in {w} processes…</source>
            <translation>正在用 {w} 个进程为 {n} 个乡镇赋码…</translation>
        </message>
        <message>
            <source>Coded {coded} parcels: {kept} kept, {new} new ({split} from splits, {merge} from merges), {retired} codes retired.</source>
            <translation>共赋码 {coded} 块：保留 {kept} 块，新增 {new} 块（其中分割 {split} 块、合并 {merge} 块），注销 {retired} 个编码。</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no farmland patches (DLBM 01xx) with a usable geometry. Check the layer, its selection and its land class field.</source>
            <translation>图层“{layer}”中没有几何可用的耕地图斑（DLBM 01xx）。请检查图层、选择集和地类编码字段。</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no contract parcels with a usable geometry. Check the layer and its selection, or leave the contract parcels empty to code survey farmland only.</source>
            <translation>图层“{layer}”中没有几何可用的承包地块。请检查图层和选择集；如只对三调耕地赋码，请不选承包地块图层。</translation>
        </message>
        <message>
            <source>Coded township {key} ({done}/{total})</source>
            <translation>已完成乡镇 {key}（{done}/{total}）</translation>
        </message>
        <message>
            <source>Writing {path}…</source>
            <translation>正在写出 {path}…</translation>
        </message>
        <message>
            <source>{area} m² of farmland strips narrower than the minimum width (田坎, gaps between parcels) have no code; they are listed in the issues layer.</source>
            <translation>窄于最小宽度的耕地细条（田坎、地块间缝隙）共 {area} ㎡ 未赋码，已列入问题清单。</translation>
        </message>
        <message>
            <source>{n} issues of this kind, for example: {message}</source>
            <translation>同类问题 {n} 条，例如：{message}</translation>
        </message>
        <message>
            <source>{n} active codes in the store are the previous coding.</source>
            <translation>以田管库中 {n} 个现行编码作为上次赋码结果。</translation>
        </message>
        <message>
            <source>Group {group} has run out of sequence numbers.</source>
            <translation>社 {group} 的地块顺序号已用尽。</translation>
        </message>
        <message>
            <source>Store {path}: {changes}</source>
            <translation>田管库 {path}：{changes}</translation>
        </message>
        <message>
            <source>Cannot open the tianguan store {path}: {error}</source>
            <translation>无法打开田管库 {path}：{error}</translation>
        </message>
        <message>
            <source>updated</source>
            <translation>已更新</translation>
        </message>
        <message>
            <source>no change (identical input)</source>
            <translation>无变化（输入相同）</translation>
        </message>
        <message>
            <source>Validate space codes</source>
            <translation>校验空间码</translation>
        </message>
        <message>
            <source>&lt;p&gt;Checks a coded parcel layer and lists every problem as a feature with its reason, so it can be fixed on the map:&lt;/p&gt;&lt;ul&gt;&lt;li&gt;errors: malformed codes, wrong check characters, duplicate codes, overlapping parcels (the same ground coded twice), retired codes still in use;&lt;/li&gt;&lt;li&gt;warnings: code parts that disagree with the part fields or with the village the parcel lies in (with the CJDCQ layer), farmland without a code (with the DLTB layer), codes missing from or unknown to the tianguan store.&lt;/li&gt;&lt;/ul&gt;</source>
            <translation>&lt;p&gt;检查已赋码地块图层，把每个问题连同原因输出为要素，便于在地图上逐一处理：&lt;/p&gt;&lt;ul&gt;&lt;li&gt;错误：编码格式不符、校验码错误、重复编码、地块相互重叠（同一块地赋了两个码）、已注销编码仍在使用；&lt;/li&gt;&lt;li&gt;警告：编码各级代码与对应字段不符或与地块实际所在的村（需 CJDCQ 图层）不符、耕地未赋码（需 DLTB 图层）、编码未在田管库登记或田管库中的现行编码不在图层中。&lt;/li&gt;&lt;/ul&gt;</translation>
        </message>
        <message>
            <source>Malformed space code {code}: {other}</source>
            <translation>空间码格式不符 {code}：{other}</translation>
        </message>
        <message>
            <source>Wrong check character in {code}: {other}</source>
            <translation>校验码错误 {code}：{other}</translation>
        </message>
        <message>
            <source>Space code {code} is used by more than one parcel</source>
            <translation>空间码 {code} 被多个地块使用</translation>
        </message>
        <message>
            <source>Parcel {code} overlaps parcel {other} by {value} m²</source>
            <translation>地块 {code} 与地块 {other} 重叠 {value} ㎡</translation>
        </message>
        <message>
            <source>Space code {code} was retired but is still in use</source>
            <translation>空间码 {code} 已注销但仍在使用</translation>
        </message>
        <message>
            <source>Space code {code} disagrees with its part field {other}</source>
            <translation>空间码 {code} 与代码字段 {other} 不符</translation>
        </message>
        <message>
            <source>Space code {code} is in another group than its issuer {other}</source>
            <translation>空间码 {code} 所在的社与其发包方 {other} 不同</translation>
        </message>
        <message>
            <source>Space code {code} names another village than where it lies ({other})</source>
            <translation>空间码 {code} 所示的村与地块实际所在的村（{other}）不符</translation>
        </message>
        <message>
            <source>Parcel {code} lies outside every village survey area</source>
            <translation>地块 {code} 不在任何村级调查区内</translation>
        </message>
        <message>
            <source>Farmland of {value} m² has no space code</source>
            <translation>有 {value} ㎡ 耕地没有空间码</translation>
        </message>
        <message>
            <source>Space code {code} is not registered in the store</source>
            <translation>空间码 {code} 未在田管库登记</translation>
        </message>
        <message>
            <source>Active space code {code} of the store is missing from the layer</source>
            <translation>田管库中的现行空间码 {code} 不在图层中</translation>
        </message>
        <message>
            <source>Reading coded parcels…</source>
            <translation>正在读取已赋码地块…</translation>
        </message>
        <message>
            <source>Looking for overlapping parcels…</source>
            <translation>正在查找相互重叠的地块…</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>错误</translation>
        </message>
        <message>
            <source>Space code problems</source>
            <translation>空间码问题清单</translation>
        </message>
        <message>
            <source>Errors</source>
            <translation>错误数</translation>
        </message>
        <message>
            <source>Warnings</source>
            <translation>警告数</translation>
        </message>
        <message>
            <source>Choose the coded parcel layer.</source>
            <translation>请选择已赋码地块图层。</translation>
        </message>
        <message>
            <source>Looking for farmland without a code…</source>
            <translation>正在查找未赋码的耕地…</translation>
        </message>
        <message>
            <source>{errors} errors, {warnings} warnings, {infos} notes.</source>
            <translation>错误 {errors} 条，警告 {warnings} 条，提示 {infos} 条。</translation>
        </message>
        <message>
            <source>Layer “{layer}” is in geographic coordinates; validate the coded layer in its projected CRS.</source>
            <translation>图层“{layer}”是经纬度坐标，请在其投影坐标系下校验。</translation>
        </message>
        <message>
            <source>Contract parcel</source>
            <translation>承包地块</translation>
        </message>
        <message>
            <source>Farmland without contract parcel</source>
            <translation>未承包耕地</translation>
        </message>
        <message>
            <source>Retired at</source>
            <translation>注销时间</translation>
        </message>
        <message>
            <source>Retired by run</source>
            <translation>注销批次</translation>
        </message>
        <message>
            <source>Retire reason</source>
            <translation>注销原因</translation>
        </message>
        <message>
            <source>Coding started; progress is shown in the task bar.</source>
            <translation>赋码已开始，进度显示在任务栏中。</translation>
        </message>
        <message>
            <source>Coding is already running.</source>
            <translation>赋码正在进行中。</translation>
        </message>
        <message>
            <source>No DLTB layer is loaded: choose the layers in the dialog.</source>
            <translation>未加载 DLTB 图层，请在对话框中选择图层。</translation>
        </message>
        <message>
            <source>Coding failed or was cancelled; see the log panel ({tag}).</source>
            <translation>赋码失败或已取消，详见日志面板（{tag}）。</translation>
        </message>
        <message>
            <source>{coded} parcels coded: {new} new, {kept} kept, {retired} retired, {issues} issues.</source>
            <translation>已赋码 {coded} 块：新增 {new}，保留 {kept}，注销 {retired}，问题 {issues} 条。</translation>
        </message>
        <message>
            <source>Linxia farmland patrol — settings</source>
            <translation>临夏田管 — 设置</translation>
        </message>
        <message>
            <source>GeoPackage (*.gpkg)</source>
            <translation>GeoPackage（*.gpkg）</translation>
        </message>
        <message>
            <source>{code} is replaced by the space code</source>
            <translation>{code} 将替换为空间码</translation>
        </message>
        <message>
            <source>QR content template</source>
            <translation>二维码内容模板</translation>
        </message>
    </context>
</TS>
