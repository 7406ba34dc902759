<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>LinxiaTianguan</name>
        <message>
            <source>the file is not a JPEG or PNG photo or a PDF document: judged by its first bytes, not by its extension; not accepted</source>
            <translation>文件内容不是 JPEG、PNG 照片或 PDF 文档：按文件开头的字节判断，与扩展名无关，未接收</translation>
        </message>
        <message>
            <source>the file is empty (0 bytes), not a photo or document; not accepted</source>
            <translation>文件是空的（0 字节），不是照片或文档，未接收</translation>
        </message>
        <message>
            <source>the file is not a GeoJSON sketch: judged by its first bytes, not by its extension; not accepted</source>
            <translation>文件内容不是 GeoJSON 草图：按文件开头的字节判断，与扩展名无关，未接收</translation>
        </message>
        <message>
            <source>the file is not a JPEG or PNG photo or a PDF document (it is an HTML web page): judged by its first bytes, not by its extension; not accepted</source>
            <translation>文件内容不是 JPEG、PNG 照片或 PDF 文档（实际是 HTML 网页）：按文件开头的字节判断，与扩展名无关，未接收</translation>
        </message>
        <message>
            <source>the file is outside the field package folder; not accepted</source>
            <translation>文件在外业包文件夹之外，未接收</translation>
        </message>
        <message>
            <source>not a regular file (a folder, device or pipe); not accepted</source>
            <translation>不是普通文件（文件夹、设备或管道），未接收</translation>
        </message>
        <message>
            <source>the file is not a GeoJSON sketch (it is an HTML web page): judged by its first bytes, not by its extension; not accepted</source>
            <translation>文件内容不是 GeoJSON 草图（实际是 HTML 网页）：按文件开头的字节判断，与扩展名无关，未接收</translation>
        </message>
        <message>
            <source>{name} is a symbolic link (shortcut) that may point to any file of the desk computer; not accepted</source>
            <translation>“{name}”是符号链接（快捷方式），可能指向桌面电脑上的任意文件，未接收</translation>
        </message>
        <message>
            <source>the file actually lies outside the field package folder; not accepted</source>
            <translation>文件实际位置在外业包文件夹之外，未接收</translation>
        </message>
        <message>
            <source>{name} is a hard link (the same file has {links} names, one may be a file of the desk computer outside the package); not accepted</source>
            <translation>“{name}”是硬链接（同一文件有 {links} 个名称，其中可能有外业包之外的桌面电脑文件），未接收</translation>
        </message>
        <message>
            <source>the file cannot be read ({error}); not accepted</source>
            <translation>文件无法读取（{error}），未接收</translation>
        </message>
        <message>
            <source>it holds no list of alarm records (a list of objects, a GeoJSON FeatureCollection, or an object with “data” or “alarms”)</source>
            <translation>文件中没有告警记录列表（应为对象列表、GeoJSON FeatureCollection，或含“data”“alarms”的对象）</translation>
        </message>
        <message>
            <source>the position has one coordinate only; give both longitude and latitude</source>
            <translation>位置只有一个坐标，请同时填写经度和纬度</translation>
        </message>
        <message>
            <source>the time is empty</source>
            <translation>时间为空</translation>
        </message>
        <message>
            <source>the camera id is empty</source>
            <translation>摄像头编号为空</translation>
        </message>
        <message>
            <source>Row {row}, column “{column}”: {problem}</source>
            <translation>第 {row} 行“{column}”列：{problem}</translation>
        </message>
        <message>
            <source>the alarm has no position: give its longitude and latitude, or the camera's longitude, latitude and bearing</source>
            <translation>告警没有位置：请填写告警经纬度，或摄像头经纬度及方位角</translation>
        </message>
        <message>
            <source>category “{value}” is none of 非农化, 非粮化, 撂荒, 挖湖, 其他</source>
            <translation>告警类型“{value}”不是 非农化、非粮化、撂荒、挖湖、其他 之一</translation>
        </message>
        <message>
            <source>no column {columns} (columns: {header}); name them camera_id, time, category and lon, lat or camera_lon, camera_lat, bearing (or 摄像头编号, 告警时间, 告警类型, 经度, 纬度, 摄像头经度, 摄像头纬度, 方位角)</source>
            <translation>缺少列 {columns}（现有列：{header}）；请命名为 camera_id、time、category 以及 lon、lat 或 camera_lon、camera_lat、bearing（或 摄像头编号、告警时间、告警类型、经度、纬度、摄像头经度、摄像头纬度、方位角）</translation>
        </message>
        <message>
            <source>“{value}” is not a number</source>
            <translation>“{value}”不是数字</translation>
        </message>
        <message>
            <source>longitude {lon} and latitude {lat} are swapped; the longitude of Linxia is about 103</source>
            <translation>经度 {lon} 与纬度 {lat} 填反了；临夏的经度约为 103</translation>
        </message>
        <message>
            <source>{lon}, {lat} is not a position in China in degrees (CGCS2000 longitude and latitude, e.g. 103.2, 35.6)</source>
            <translation>{lon}, {lat} 不是中国境内以度为单位的位置（CGCS2000 经纬度，如 103.2, 35.6）</translation>
        </message>
        <message>
            <source>“{value}” is not a time (e.g. 2025-06-20 09:30:00)</source>
            <translation>“{value}”不是时间（如 2025-06-20 09:30:00）</translation>
        </message>
        <message>
            <source>bearing {value} is not between 0 and 360 degrees (clockwise from north)</source>
            <translation>方位角 {value} 不在 0–360 度之间（自正北顺时针）</translation>
        </message>
        <message>
            <source>the time {value} is before 2000: the camera's clock was not set</source>
            <translation>时间 {value} 早于 2000 年：摄像头时钟未设置</translation>
        </message>
        <message>
            <source>Row {row}, column “{column}”: the same camera and time as row {other}; the row is skipped</source>
            <translation>第 {row} 行“{column}”列：摄像头与时间与第 {other} 行相同，本行跳过</translation>
        </message>
        <message>
            <source>the time {value} is in the future</source>
            <translation>时间 {value} 在未来</translation>
        </message>
        <message>
            <source>the manifest is not the manifest of a tianguan field package</source>
            <translation>清单不是田管外业包的清单</translation>
        </message>
        <message>
            <source>store_id, grid or exported_at of the manifest is not text</source>
            <translation>清单的 store_id、grid 或 exported_at 不是文字</translation>
        </message>
        <message>
            <source>the list of cases in the manifest is damaged</source>
            <translation>清单中的案件列表已损坏</translation>
        </message>
        <message>
            <source>the photo path contains ".." or is absolute: it points outside the field package folder; not accepted</source>
            <translation>照片路径含“..”或是绝对路径，指向外业包文件夹之外，未接收</translation>
        </message>
        <message>
            <source>zip member {member} would be written outside the extraction folder; not extracted</source>
            <translation>压缩包成员“{member}”会写到解压文件夹之外，未解压</translation>
        </message>
        <message>
            <source>format_version = {value} in the manifest ({name}) is not valid: it must be a whole number not above {latest}; the package may be damaged or altered</source>
            <translation>清单（{name}）中的格式版本 format_version = {value} 无效，应为不大于 {latest} 的整数；外业包可能已损坏或被改动</translation>
        </message>
        <message>
            <source>the package's format version {version} is newer than this plugin's ({latest}): update the plugin first</source>
            <translation>外业包的格式版本 {version} 比本插件（{latest}）新，请先升级插件</translation>
        </message>
        <message>
            <source>the zip holds {n} entries, more than the {limit} a field package may have</source>
            <translation>压缩包含 {n} 个条目，超过外业包允许的 {limit} 个</translation>
        </message>
        <message>
            <source>the zip unpacks to {size} MB, more than the {limit} MB a field package may have (a zip bomb?)</source>
            <translation>压缩包解压后为 {size} MB，超过外业包允许的 {limit} MB（可能是压缩炸弹）</translation>
        </message>
        <message>
            <source>zip member {member} unpacks to more than it declares ({size} bytes); not extracted</source>
            <translation>压缩包成员“{member}”解压后的大小超过其声明的 {size} 字节，未解压</translation>
        </message>
        <message>
            <source>zip member {member} cannot be extracted ({error}); not extracted</source>
            <translation>压缩包成员“{member}”无法解压（{error}），未解压</translation>
        </message>
        <message>
            <source>the manifest is not a JSON file ({error})</source>
            <translation>清单不是 JSON 文件（{error}）</translation>
        </message>
        <message>
            <source>the manifest has no {key}</source>
            <translation>清单缺少“{key}”</translation>
        </message>
        <message>
            <source>the file is not a readable zip ({error})</source>
            <translation>文件不是可读取的 zip 压缩包（{error}）</translation>
        </message>
        <message>
            <source>zip member {member} has an absolute path or "..": it would be written outside the extraction folder; not extracted</source>
            <translation>压缩包成员“{member}”是绝对路径或含“..”，会写到解压文件夹之外，未解压</translation>
        </message>
        <message>
            <source>zip member {member} is a symbolic link, which may point to any file of the desk computer; not extracted</source>
            <translation>压缩包成员“{member}”是符号链接，可能指向桌面电脑上的任意文件，未解压</translation>
        </message>
        <message>
            <source>zip member {member} occurs more than once in the zip (names compared ignoring case); none of them is extracted</source>
            <translation>压缩包成员“{member}”在压缩包中重名（不区分大小写），同名成员均未解压</translation>
        </message>
        <message>
            <source>zip member {member} is encrypted; not extracted</source>
            <translation>压缩包成员“{member}”已加密，未解压</translation>
        </message>
        <message>
            <source>zip member {member} unpacks to {size} MB, more than {limit} MB; not extracted</source>
            <translation>压缩包成员“{member}”解压后为 {size} MB，超过 {limit} MB，未解压</translation>
        </message>
        <message>
            <source>zip member {member} is not a regular file; not extracted</source>
            <translation>压缩包成员“{member}”不是普通文件，未解压</translation>
        </message>
        <message>
            <source>The Linxia farmland patrol plugin cannot start: QGIS's Python lacks {packages}. Windows (OSGeo4W): open the OSGeo4W Shell as administrator and run {pip}, or add the package {osgeo4w} with the OSGeo4W installer. Linux: install the distribution's package with {apt} (shapely 2.0 or later comes with Debian 13, Ubuntu 24.04 and later); on an older distribution run {pip_user} (on Debian 12 add --break-system-packages). Then restart QGIS.</source>
            <translation>临夏田管插件无法启动：QGIS 的 Python 环境缺少 {packages}。Windows（OSGeo4W）：以管理员身份打开 OSGeo4W Shell，运行 {pip}，或用 OSGeo4W 安装程序安装 {osgeo4w} 软件包。Linux：用发行版软件包安装，运行 {apt}（Debian 13、Ubuntu 24.04 及更新版本自带 shapely 2.0 及以上版本）；较旧的发行版请运行 {pip_user}（Debian 12 需加 --break-system-packages）。安装后请重启 QGIS。</translation>
        </message>
        <message>
            <source>Export to PostGIS and reviewing cases on PostGIS need the Python package psycopg2, which QGIS's Python lacks ({problem}). Windows (OSGeo4W): open the OSGeo4W Shell as administrator and run {pip}, or add the package {osgeo4w} with the OSGeo4W installer. Linux: run {apt}, or {pip_user}. Then restart QGIS.</source>
            <translation>导出到 PostGIS 和在 PostGIS 上审核案件需要 Python 包 psycopg2，QGIS 的 Python 环境缺少它（{problem}）。Windows（OSGeo4W）：以管理员身份打开 OSGeo4W Shell，运行 {pip}，或用 OSGeo4W 安装程序安装 {osgeo4w} 软件包。Linux：运行 {apt} 或 {pip_user}。安装后请重启 QGIS。</translation>
        </message>
        <message>
            <source>How to install…</source>
            <translation>安装方法…</translation>
        </message>
        <message>
            <source>Linxia farmland patrol</source>
            <translation>临夏田管</translation>
        </message>
        <message>
            <source>{name} (not installed)</source>
            <translation>{name}（未安装）</translation>
        </message>
        <message>
            <source>{name} {found} (version {minimum} or later is needed)</source>
            <translation>{name} {found}（需要 {minimum} 及以上版本）</translation>
        </message>
        <message>
            <source>{name} (installed, but it cannot be imported: {error})</source>
            <translation>{name}（已安装，但无法导入：{error}）</translation>
        </message>
        <message>
            <source>No Chinese font is installed ({fonts}): the labels would print as boxes. Install one (e.g. WenQuanYi Micro Hei) and run again.</source>
            <translation>未安装中文字体（{fonts}）：标签上的中文将显示为方框。请安装一种（如文泉驿微米黑）后重新运行。</translation>
        </message>
        <message>
            <source>the case is not waiting for enforcement</source>
            <translation>案件不在等待执法的状态</translation>
        </message>
        <message>
            <source>a finished rectification needs at least one photo</source>
            <translation>整改完成至少需要一张照片</translation>
        </message>
        <message>
            <source>no rectification result chosen</source>
            <translation>没有选择整改结果</translation>
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
            <source>In use</source>
            <translation>现行</translation>
        </message>
        <message>
            <source>Retired (never reissued)</source>
            <translation>已注销（不再启用）</translation>
        </message>
        <message>
            <source>New code</source>
            <translation>新增</translation>
        </message>
        <message>
            <source>Code kept</source>
            <translation>保留</translation>
        </message>
        <message>
            <source>Split</source>
            <translation>分割</translation>
        </message>
        <message>
            <source>Merged</source>
            <translation>合并</translation>
        </message>
        <message>
            <source>Reshaped</source>
            <translation>调整</translation>
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
            <source>coding run undone</source>
            <translation>撤销赋码</translation>
        </message>
        <message>
            <source>Error</source>
            <translation>错误</translation>
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
            <source>Geometry repaired</source>
            <translation>几何已修复</translation>
        </message>
        <message>
            <source>No geometry</source>
            <translation>无几何</translation>
        </message>
        <message>
            <source>No area after repair</source>
            <translation>修复后无面积</translation>
        </message>
        <message>
            <source>Patch without village</source>
            <translation>图斑无所属村</translation>
        </message>
        <message>
            <source>Duplicate DKBM</source>
            <translation>地块编码重复</translation>
        </message>
        <message>
            <source>Contract parcel without DKBM</source>
            <translation>承包地块无地块编码</translation>
        </message>
        <message>
            <source>Group taken from location</source>
            <translation>按位置确定所属社</translation>
        </message>
        <message>
            <source>Contract parcel outside farmland</source>
            <translation>承包地块不在耕地内</translation>
        </message>
        <message>
            <source>Contract parcel covered by others</source>
            <translation>承包地块被其他地块覆盖</translation>
        </message>
        <message>
            <source>Contract parcel only grazes farmland</source>
            <translation>承包地块仅擦边耕地</translation>
        </message>
        <message>
            <source>Overlapping contract parcels</source>
            <translation>承包地块重叠</translation>
        </message>
        <message>
            <source>Uncoded narrow strip</source>
            <translation>未赋码狭长耕地</translation>
        </message>
        <message>
            <source>Code retired</source>
            <translation>空间码已注销</translation>
        </message>
        <message>
            <source>Numeric code field</source>
            <translation>编码字段为数值型</translation>
        </message>
        <message>
            <source>KCXS given in percent</source>
            <translation>扣除系数为百分数</translation>
        </message>
        <message>
            <source>Malformed code</source>
            <translation>编码格式错误</translation>
        </message>
        <message>
            <source>Wrong check character</source>
            <translation>校验码错误</translation>
        </message>
        <message>
            <source>Duplicate code</source>
            <translation>空间码重复</translation>
        </message>
        <message>
            <source>Overlapping parcels</source>
            <translation>地块重叠</translation>
        </message>
        <message>
            <source>Retired code in use</source>
            <translation>仍在使用已注销的空间码</translation>
        </message>
        <message>
            <source>Code part differs from attribute</source>
            <translation>编码与属性不一致</translation>
        </message>
        <message>
            <source>Group differs from FBFBM</source>
            <translation>所属社与发包方编码不一致</translation>
        </message>
        <message>
            <source>Code in another village</source>
            <translation>编码与所在村不符</translation>
        </message>
        <message>
            <source>Outside every village</source>
            <translation>不在任何村内</translation>
        </message>
        <message>
            <source>Farmland without a code</source>
            <translation>耕地未赋码</translation>
        </message>
        <message>
            <source>Code not in the store</source>
            <translation>空间码不在田管库中</translation>
        </message>
        <message>
            <source>Store code missing from layer</source>
            <translation>田管库空间码在图层中缺失</translation>
        </message>
        <message>
            <source>Non-agricultural use (construction)</source>
            <translation>非农化（建设占用）</translation>
        </message>
        <message>
            <source>Non-agricultural use (facility agriculture land)</source>
            <translation>非农化（设施农用地）</translation>
        </message>
        <message>
            <source>Non-grain use (orchard, forest, grass, fish pond)</source>
            <translation>非粮化（园地、林地、草地、养殖坑塘）</translation>
        </message>
        <message>
            <source>Lake or pond dug on farmland (lake, reservoir, pond water)</source>
            <translation>挖湖造景（湖泊、水库、坑塘水面）</translation>
        </message>
        <message>
            <source>Other farmland loss</source>
            <translation>其他耕地减少</translation>
        </message>
        <message>
            <source>Farmland change of unknown use</source>
            <translation>变化用途不明的耕地</translation>
        </message>
        <message>
            <source>Abandoned farmland (left unplanted)</source>
            <translation>撂荒（耕地未耕种）</translation>
        </message>
        <message>
            <source>Legal: approved conversion</source>
            <translation>合法-已批准</translation>
        </message>
        <message>
            <source>Legal: filed facility agriculture land</source>
            <translation>合法-设施农用地备案</translation>
        </message>
        <message>
            <source>Legal: temporary land in term</source>
            <translation>合法-临时用地</translation>
        </message>
        <message>
            <source>Suspected illegal</source>
            <translation>疑似违法</translation>
        </message>
        <message>
            <source>Needs field verification</source>
            <translation>需外业核实</translation>
        </message>
        <message>
            <source>Non-agricultural</source>
            <translation>非农化</translation>
        </message>
        <message>
            <source>Facility agriculture land</source>
            <translation>设施农用地</translation>
        </message>
        <message>
            <source>Non-grain</source>
            <translation>非粮化</translation>
        </message>
        <message>
            <source>Dug lake / pond</source>
            <translation>挖湖造景</translation>
        </message>
        <message>
            <source>Other loss</source>
            <translation>其他减少</translation>
        </message>
        <message>
            <source>Unknown use</source>
            <translation>用途不明</translation>
        </message>
        <message>
            <source>Abandoned farmland</source>
            <translation>撂荒</translation>
        </message>
        <message>
            <source>Lawful: approved</source>
            <translation>合法-已批准</translation>
        </message>
        <message>
            <source>Lawful: facility filing</source>
            <translation>合法-设施农用地备案</translation>
        </message>
        <message>
            <source>Lawful: temporary land</source>
            <translation>合法-临时用地</translation>
        </message>
        <message>
            <source>inside an approved conversion</source>
            <translation>位于批准用地范围内</translation>
        </message>
        <message>
            <source>partly inside an approved conversion or temporary land (split)</source>
            <translation>部分位于批准用地或临时用地范围内（已拆分）</translation>
        </message>
        <message>
            <source>no approval found</source>
            <translation>未查到批准用地</translation>
        </message>
        <message>
            <source>within a facility-agriculture filing</source>
            <translation>设施农用地在备案范围和面积内</translation>
        </message>
        <message>
            <source>beyond its facility-agriculture filing</source>
            <translation>设施农用地超出备案范围或备案面积</translation>
        </message>
        <message>
            <source>facility land without a filing</source>
            <translation>设施农用地未查到备案</translation>
        </message>
        <message>
            <source>temporary land within its approved term</source>
            <translation>位于期限内的临时用地范围内</translation>
        </message>
        <message>
            <source>temporary land past its approved term</source>
            <translation>临时用地已到期（应复垦）</translation>
        </message>
        <message>
            <source>on permanent basic farmland</source>
            <translation>占用永久基本农田</translation>
        </message>
        <message>
            <source>outside the town development boundary</source>
            <translation>位于城镇开发边界外</translation>
        </message>
        <message>
            <source>inside the town development boundary without approval</source>
            <translation>位于城镇开发边界内但未查到批准</translation>
        </message>
        <message>
            <source>non-grain use off permanent basic farmland</source>
            <translation>非粮化，未占用永久基本农田</translation>
        </message>
        <message>
            <source>farmland lost to water, unused land or another use</source>
            <translation>耕地变为水域、未利用地等其他地类</translation>
        </message>
        <message>
            <source>kind of change unknown</source>
            <translation>变化类型不明</translation>
        </message>
        <message>
            <source>facility land filed, but on permanent basic farmland</source>
            <translation>设施农用地已备案，但占用永久基本农田</translation>
        </message>
        <message>
            <source>reported from the field (巡田上报)</source>
            <translation>巡田上报</translation>
        </message>
        <message>
            <source>lake or pond dug on farmland without approval</source>
            <translation>耕地挖湖造景，未查到批准</translation>
        </message>
        <message>
            <source>farmland left unplanted (planting attribute WG)</source>
            <translation>耕地撂荒（种植属性为未耕种 WG）</translation>
        </message>
        <message>
            <source>Photo</source>
            <translation>照片</translation>
        </message>
        <message>
            <source>Document</source>
            <translation>文档</translation>
        </message>
        <message>
            <source>Sketch</source>
            <translation>草图</translation>
        </message>
        <message>
            <source>no EXIF</source>
            <translation>无 EXIF 信息</translation>
        </message>
        <message>
            <source>no position</source>
            <translation>无位置</translation>
        </message>
        <message>
            <source>far from the case</source>
            <translation>远离案件图斑</translation>
        </message>
        <message>
            <source>no time</source>
            <translation>无时间</translation>
        </message>
        <message>
            <source>taken before detection</source>
            <translation>拍摄早于发现时间</translation>
        </message>
        <message>
            <source>outside the patrol window</source>
            <translation>不在巡查时段内</translation>
        </message>
        <message>
            <source>Driven: moving faster than walking</source>
            <translation>开车路过：移动速度超过步行</translation>
        </message>
        <message>
            <source>Too short: below the minimum duration or length</source>
            <translation>时长或里程不足：低于最短时长或最短里程</translation>
        </message>
        <message>
            <source>Outside the grid: too little of the track inside the officer's group cell</source>
            <translation>不在本社网格内：轨迹落在本社网格内的比例过低</translation>
        </message>
        <message>
            <source>Teleport: consecutive fixes too far apart for the time between them</source>
            <translation>轨迹跳点：相邻两点相距过远，与间隔时间不符</translation>
        </message>
        <message>
            <source>Replay: the same path at the same pace as an earlier track</source>
            <translation>重复上传旧轨迹：与更早的轨迹路径相同、节奏相同</translation>
        </message>
        <message>
            <source>Wrong clock: fix times in the future or before 2000 (the phone's clock was wrong)</source>
            <translation>时间异常：定位时间在将来或早于 2000 年（手机时钟错误）</translation>
        </message>
        <message>
            <source>Regular sampling: intervals and spacing too regular for a real walk (hint)</source>
            <translation>采样过于规整：时间间隔与点距过于一致，不像真实步行（提示）</translation>
        </message>
        <message>
            <source>No grid cell: the grid code is not in the active patrol grid (hint)</source>
            <translation>网格中无此社：网格编码不在现行巡田网格中（提示）</translation>
        </message>
        <message>
            <source>Outside the county: most of the track lies outside the county the store covers (whatever its grid code)</source>
            <translation>不在本县范围内：轨迹大部分在田管库所覆盖的本县范围之外（不论网格编码如何）</translation>
        </message>
        <message>
            <source>Before the plan: the track started before the first patrol task period of its grid</source>
            <translation>早于巡田计划开始：轨迹开始时间早于本社最早的巡田任务时段</translation>
        </message>
        <message>
            <source>Unknown level</source>
            <translation>层级无法识别</translation>
        </message>
        <message>
            <source>Unknown role</source>
            <translation>角色无法识别</translation>
        </message>
        <message>
            <source>Unreadable vacancy mark</source>
            <translation>是否空缺无法识别</translation>
        </message>
        <message>
            <source>Code does not fit the level</source>
            <translation>编码与层级不符</translation>
        </message>
        <message>
            <source>Parent grid missing</source>
            <translation>缺少上级网格</translation>
        </message>
        <message>
            <source>Grid not in the patrol grid</source>
            <translation>网格不在巡田网格中</translation>
        </message>
        <message>
            <source>Level differs from the patrol grid</source>
            <translation>层级与巡田网格不符</translation>
        </message>
        <message>
            <source>Two officers in one grid</source>
            <translation>一个网格两名田管员</translation>
        </message>
        <message>
            <source>Name missing</source>
            <translation>缺少姓名</translation>
        </message>
        <message>
            <source>Phone missing</source>
            <translation>缺少电话</translation>
        </message>
        <message>
            <source>Malformed phone number</source>
            <translation>电话号码格式错误</translation>
        </message>
        <message>
            <source>Officer of two groups</source>
            <translation>一人任两个社的田管员</translation>
        </message>
        <message>
            <source>No officer</source>
            <translation>缺少田管员</translation>
        </message>
        <message>
            <source>Vacant post</source>
            <translation>岗位空缺</translation>
        </message>
        <message>
            <source>No assistant officer</source>
            <translation>缺少助理田管员</translation>
        </message>
        <message>
            <source>Grid without a cell</source>
            <translation>网格在巡田网格中无单元</translation>
        </message>
        <message>
            <source>the case is not in the tianguan store</source>
            <translation>田管库中没有该案件</translation>
        </message>
        <message>
            <source>the case was not exported in this package</source>
            <translation>该案件不在本外业包中</translation>
        </message>
        <message>
            <source>the case is closed</source>
            <translation>案件已结案</translation>
        </message>
        <message>
            <source>the case moved on since the export</source>
            <translation>导出后案件已流转</translation>
        </message>
        <message>
            <source>the case is in a state that takes no evidence</source>
            <translation>案件当前状态不接受举证</translation>
        </message>
        <message>
            <source>the photo file is missing</source>
            <translation>照片文件缺失</translation>
        </message>
        <message>
            <source>no case chosen</source>
            <translation>未选择案件</translation>
        </message>
        <message>
            <source>the track cannot be read</source>
            <translation>轨迹无法读取</translation>
        </message>
        <message>
            <source>the photo file was refused</source>
            <translation>照片文件被拒收</translation>
        </message>
        <message>
            <source>the report has no position</source>
            <translation>上报点没有位置</translation>
        </message>
        <message>
            <source>the sketched area has no area</source>
            <translation>勾画的范围没有面积</translation>
        </message>
        <message>
            <source>Parcel layer</source>
            <translation>地块图层</translation>
        </message>
        <message>
            <source>Case layer</source>
            <translation>案件图层</translation>
        </message>
        <message>
            <source>Rectification layer</source>
            <translation>整改结果图层</translation>
        </message>
        <message>
            <source>Task layer</source>
            <translation>任务图层</translation>
        </message>
        <message>
            <source>Track layer</source>
            <translation>轨迹图层</translation>
        </message>
        <message>
            <source>Evidence layer</source>
            <translation>举证图层</translation>
        </message>
        <message>
            <source>Field report layer</source>
            <translation>巡田上报图层</translation>
        </message>
        <message>
            <source>Field report area layer</source>
            <translation>巡田上报范围图层</translation>
        </message>
        <message>
            <source>Gap: part of the parent cell is in none of its children</source>
            <translation>缝隙：上级单元的一部分不属于任何下级单元</translation>
        </message>
        <message>
            <source>Overlap: two cells of the same level share ground</source>
            <translation>重叠：同级两个单元有重叠部分</translation>
        </message>
        <message>
            <source>Outside its parent: the cell reaches beyond the cell above it</source>
            <translation>越界：单元超出其上级单元范围</translation>
        </message>
        <message>
            <source>No parent: the cell above it is missing from the grid</source>
            <translation>缺少上级：网格中没有其上级单元</translation>
        </message>
        <message>
            <source>Farmland in no group cell</source>
            <translation>耕地不在任何社级网格内</translation>
        </message>
        <message>
            <source>Farmland in two group cells</source>
            <translation>耕地同时位于两个社级网格内</translation>
        </message>
        <message>
            <source>Parcel code names another group than the cell it lies in</source>
            <translation>地块空间码所指的社与所在网格不一致</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>是</translation>
        </message>
        <message>
            <source>no</source>
            <translation>否</translation>
        </message>
        <message>
            <source>Choose a PostgreSQL connection saved in QGIS (Data Source Manager › PostgreSQL) to read the prefecture store.</source>
            <translation>请选择 QGIS 中已保存的 PostgreSQL 连接（数据源管理器 › PostgreSQL）以读取州库。</translation>
        </message>
        <message>
            <source>Cannot read the prefecture store: {error}</source>
            <translation>无法读取州库：{error}</translation>
        </message>
        <message>
            <source>The database role of connection “{name}” may not read the prefecture store (schema “{schema}”): ask the prefecture's administrator to grant it a county or the prefecture (州库建库与授权).</source>
            <translation>连接“{name}”的数据库账号无权读取州库（模式“{schema}”）：请州级管理员为其授权一个县或全州（州库建库与授权）。</translation>
        </message>
        <message>
            <source>Cannot connect to the prefecture store through connection “{name}”: is the server running and reachable? ({error})</source>
            <translation>无法通过连接“{name}”连接州库：服务器是否已启动且网络可达？（{error}）</translation>
        </message>
        <message>
            <source>There is no PostgreSQL connection named “{name}”. Create it in the Data Source Manager (PostgreSQL) with an authentication configuration, then choose it here.</source>
            <translation>没有名为“{name}”的 PostgreSQL 连接。请在数据源管理器（PostgreSQL）中创建该连接并使用认证配置，然后在此选择。</translation>
        </message>
        <message>
            <source>Schema “{schema}” of {where} is not a prefecture store (version {version}, needs {needed}): check the schema name, or ask the prefecture's administrator to set it up (州库建库与授权).</source>
            <translation>{where} 中的模式“{schema}”不是州库（版本 {version}，需要 {needed}）：请检查模式名称，或请州级管理员先运行“州库建库与授权”。</translation>
        </message>
        <message>
            <source>The authentication configuration {id} of connection “{name}” cannot be read: unlock QGIS's password store (master password) or fix the configuration.</source>
            <translation>无法读取连接“{name}”的认证配置 {id}：请解锁 QGIS 密码库（主密码）或修正该配置。</translation>
        </message>
        <message>
            <source>“{schema}” is not a schema name: lower-case letters, digits and _ only.</source>
            <translation>“{schema}”不是有效的模式名称：只能包含小写字母、数字和下划线 _。</translation>
        </message>
        <message>
            <source>One-click space coding of the loaded layers, in the background. Needs the DLTB layer (land-use survey patches) in the project; uses DK (contract parcels), YJJBNT (permanent basic farmland) and CJDCQ (village survey areas) when they are loaded too. Without DLTB the algorithm's dialog opens to choose the layers.</source>
            <translation>在后台为已加载的图层一键赋码。工程中须有地类图斑（DLTB）图层；承包地块（DK）、永久基本农田（YJJBNT）和村级调查区（CJDCQ）图层已加载时一并使用。没有 DLTB 图层时打开算法对话框选择图层。</translation>
        </message>
        <message>
            <source>&amp;Linxia farmland patrol</source>
            <translation>临夏田管(&amp;L)</translation>
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
            <source>Track replay</source>
            <translation>轨迹复现</translation>
        </message>
        <message>
            <source>Case review</source>
            <translation>案件审核</translation>
        </message>
        <message>
            <source>Farmland protection dashboard</source>
            <translation>领导田管驾驶舱</translation>
        </message>
        <message>
            <source>Export statistics map…</source>
            <translation>导出统计专题图…</translation>
        </message>
        <message>
            <source>Patrol assessment…</source>
            <translation>巡田考核…</translation>
        </message>
        <message>
            <source>Settings…</source>
            <translation>设置…</translation>
        </message>
        <message>
            <source>Pick a case on the map</source>
            <translation>在地图上点选案件</translation>
        </message>
        <message>
            <source>Track replay: play a patrol of the tianguan store on the map. Needs patrol tracks imported into the store (Import patrol tracks).</source>
            <translation>轨迹复现：在地图上回放田管库中的一次巡田。田管库中须已导入巡田轨迹（导入巡田轨迹）。</translation>
        </message>
        <message>
            <source>Pick a case on the map: click a case polygon to open it in the case review dock (the cases of the tianguan store, whether or not their layer is loaded).</source>
            <translation>在地图上点选案件：单击案件图斑，即在案件审核窗口中打开该案件（田管库中的案件，无论其图层是否已加载）。</translation>
        </message>
        <message>
            <source>The Processing provider linxia_tianguan is already registered; this copy of the plugin does not register it again.</source>
            <translation>Processing 提供者 linxia_tianguan 已注册；本插件副本不再重复注册。</translation>
        </message>
        <message>
            <source>Case review: filter, review and move the cases of the tianguan store. In the locator bar (Ctrl+K), type {prefix} and a space code to open the parcel's case.</source>
            <translation>案件审核：筛选、审核并流转田管库中的案件。在定位栏（Ctrl+K）输入 {prefix} 和空间码（中间加空格）即可打开该地块的案件。</translation>
        </message>
        <message>
            <source>Tianguan store (GeoPackage)</source>
            <translation>田管库（GeoPackage）</translation>
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
            <source>Change analysis and cases</source>
            <translation>变化分析与案件</translation>
        </message>
        <message>
            <source>Maps and reports</source>
            <translation>专题图与报表</translation>
        </message>
        <message>
            <source>Prefecture shared store</source>
            <translation>州库共享</translation>
        </message>
        <message>
            <source>“{value}” is not an administrative code: digits only, {lengths} digits long (e.g. 622921 for a county, 622921101 for a township).</source>
            <translation>“{value}”不是行政区划代码：只能是数字，长度为 {lengths} 位（例如县 622921、乡镇 622921101）。</translation>
        </message>
        <message>
            <source>Or read the prefecture store: PostgreSQL connection</source>
            <translation>或读取州库：PostgreSQL 连接</translation>
        </message>
        <message>
            <source>Prefecture store schema</source>
            <translation>州库模式</translation>
        </message>
        <message>
            <source>Read either the tianguan store (GeoPackage) or the prefecture store (PostgreSQL connection), not both: clear one of them.</source>
            <translation>请读取田管库（GeoPackage）或州库（PostgreSQL 连接）其中之一，不能同时选择两者：请清空其中一项。</translation>
        </message>
        <message>
            <source>Choose the tianguan store (GeoPackage), or a PostgreSQL connection to read the prefecture store.</source>
            <translation>请选择田管库（GeoPackage），或选择一个 PostgreSQL 连接以读取州库。</translation>
        </message>
        <message>
            <source>The end date {end} is before the start date {start}.</source>
            <translation>结束日期 {end} 早于开始日期 {start}。</translation>
        </message>
        <message>
            <source>Choose the tianguan store (GeoPackage).</source>
            <translation>请选择田管库（GeoPackage）。</translation>
        </message>
        <message>
            <source>Cancelled; no file was written.</source>
            <translation>已取消，未写出文件。</translation>
        </message>
        <message>
            <source>{what}: “{value}” is not a date (YYYY-MM-DD).</source>
            <translation>{what}：“{value}”不是日期（格式为 YYYY-MM-DD）。</translation>
        </message>
        <message>
            <source>“{value}” is not a date and time (YYYY-MM-DD HH:MM).</source>
            <translation>“{value}”不是日期时间（YYYY-MM-DD HH:MM）。</translation>
        </message>
        <message>
            <source>There is no tianguan store at {path}: check the path (a typo?).</source>
            <translation>{path} 处没有田管库：请检查路径（是否输错？）。</translation>
        </message>
        <message>
            <source>Cannot write {path}: {error}</source>
            <translation>无法写入 {path}：{error}</translation>
        </message>
        <message>
            <source>Reading the prefecture store: schema “{schema}”, {where}.</source>
            <translation>正在读取州库：模式“{schema}”，{where}。</translation>
        </message>
        <message>
            <source>Change polygons and pre-judgement</source>
            <translation>变化图斑提取与预判</translation>
        </message>
        <message>
            <source>&lt;p&gt;变化图斑提取与预判 · Finds where farmland (耕地, DLBM 01xx) of the baseline survey (三调 DLTB) was lost: by comparing it with a newer annual-change survey (年度变更 DLTB, compared by DLBM and 种植属性), or by classifying externally supplied change polygons (卫片图斑) against it. Each candidate is 非农化 (to construction, temporary or bulldozed land; facility agriculture land is judged against its filing), 非粮化 (to orchard, forest, grass, fish pond, or planting attribute FLS), 挖湖造景 (to lake, reservoir or pond water 1102/1103/1104) or another loss, with its area in m² and mu, the farmland (田坎 deducted) and permanent basic farmland it took, and the classes before and after. Farmland whose planting attribute is 未耕种 (WG) in the newer survey (or in the baseline when there is no newer one) is listed as 撂荒, with its area per township in the log. A KCXS given in percent (8 for 8 %) is read as a fraction.&lt;/p&gt;&lt;p&gt;Unchanged patches (same id, geometry and classes) are skipped without any overlay. Pieces smaller than the minimum area (a separate, smaller minimum applies on permanent basic farmland) and thin slivers from boundary digitising are left out.&lt;/p&gt;&lt;p&gt;Pre-judgement: each candidate is overlaid with approved conversions, facility-agriculture filings, temporary land (its term is checked against the given day) and the town development boundary, and judged 合法-已批准, 合法-设施农用地备案, 合法-临时用地, 疑似违法 or 需外业核实, with the reasons and the overlapping areas; a partly approved candidate is split; a filing does not make facility land on permanent basic farmland lawful (需外业核实). Priority: permanent basic farmland first, then area, then repeated cases on the same parcels.&lt;/p&gt;&lt;p&gt;In the tianguan store, every candidate gets its group grid cell, its officer (active roster) and the space codes of the parcels it touches, and is stored as a case waiting to be issued (待下发). Running again on the same inputs adds no case twice; a case already in the workflow keeps its state and history. The rules (class groups, thresholds) are a versioned file; each case records the version that flagged it.&lt;/p&gt;</source>
            <translation>&lt;p&gt;变化图斑提取与预判 · 找出基期调查（三调 DLTB）中耕地（DLBM 01xx）减少的位置：与新一期年度变更调查（年度变更 DLTB，按地类编码和种植属性）对比，或将外部提供的变化图斑（卫片图斑）对照基期分类。每个变化图斑分为非农化（变为建设用地、临时用地或推土区；设施农用地对照其备案判定）、非粮化（变为园地、林地、草地、养殖坑塘，或种植属性为 FLS）、挖湖造景（变为湖泊、水库或坑塘水面 1102/1103/1104）或其他减少，并给出面积（㎡ 和亩）、占用的耕地面积（扣除田坎）和永久基本农田面积，以及变化前后的地类。新一期调查（无新一期时为基期调查）中种植属性为未耕种（WG）的耕地列为撂荒，并在日志中按乡镇给出面积。扣除系数 KCXS 按百分数填写（8 表示 8%）时按小数读取。&lt;/p&gt;&lt;p&gt;未变化的图斑（标识码、几何与地类均相同）不做任何叠加直接跳过。小于最小面积的碎片（永久基本农田上适用单独的、更小的最小面积）以及边界数字化误差造成的细长碎片不予输出。&lt;/p&gt;&lt;p&gt;预判：每个变化图斑与批准用地、设施农业用地备案、临时用地（按指定日期核对期限）和城镇开发边界叠加，判定为合法-已批准、合法-设施农用地备案、合法-临时用地、疑似违法或需外业核实，并给出依据和叠加面积；部分批准的图斑予以拆分；占用永久基本农田的设施农用地不因备案而判为合法（需外业核实）。优先级：先永久基本农田，再面积，再同一地块上的重复违法。&lt;/p&gt;&lt;p&gt;每个变化图斑在田管库中分配到所在社网格和负责的田管员（现行花名册），列出涉及地块的空间码，并作为待下发案件存入田管库。相同输入重复运行不会重复添加案件；已进入流转的案件保留其状态和流转记录。规则（地类分组、阈值）是带版本号的文件，每个案件记录判定它的规则版本。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Rules file (JSON; empty: the bundled rules)</source>
            <translation>规则文件（JSON；留空：使用内置规则）</translation>
        </message>
        <message>
            <source>Reading the surveys…</source>
            <translation>正在读取调查数据…</translation>
        </message>
        <message>
            <source>Pre-judging against approvals and plans…</source>
            <translation>正在对照批准用地与规划进行预判…</translation>
        </message>
        <message>
            <source>Baseline land-use survey (三调 DLTB)</source>
            <translation>基期地类图斑（三调 DLTB）</translation>
        </message>
        <message>
            <source>Newer land-use survey (年度变更 DLTB)</source>
            <translation>新一期地类图斑（年度变更 DLTB）</translation>
        </message>
        <message>
            <source>External change polygons (卫片图斑)</source>
            <translation>外部变化图斑（卫片图斑）</translation>
        </message>
        <message>
            <source>External polygon id field</source>
            <translation>卫片图斑编号字段</translation>
        </message>
        <message>
            <source>External polygon current-use field (DLBM)</source>
            <translation>卫片图斑现状地类字段（DLBM）</translation>
        </message>
        <message>
            <source>Minimum area (m²; empty: from the rules)</source>
            <translation>最小面积（㎡；留空：按规则）</translation>
        </message>
        <message>
            <source>Minimum area on permanent basic farmland (m²; empty: from the rules)</source>
            <translation>永久基本农田上的最小面积（㎡；留空：按规则）</translation>
        </message>
        <message>
            <source>Change candidates</source>
            <translation>变化图斑</translation>
        </message>
        <message>
            <source>Candidates</source>
            <translation>变化图斑数</translation>
        </message>
        <message>
            <source>非农化 candidates</source>
            <translation>非农化图斑数</translation>
        </message>
        <message>
            <source>非粮化 candidates</source>
            <translation>非粮化图斑数</translation>
        </message>
        <message>
            <source>挖湖造景 candidates</source>
            <translation>挖湖造景图斑</translation>
        </message>
        <message>
            <source>撂荒 candidates</source>
            <translation>撂荒图斑</translation>
        </message>
        <message>
            <source>New cases</source>
            <translation>新增案件数</translation>
        </message>
        <message>
            <source>Cases already stored</source>
            <translation>已有案件数</translation>
        </message>
        <message>
            <source>Choose the baseline land-use survey (DLTB).</source>
            <translation>请选择基期地类图斑（DLTB）。</translation>
        </message>
        <message>
            <source>Give the newer land-use survey or the external change polygons: there is nothing to compare the baseline with.</source>
            <translation>请提供新一期地类图斑或外部变化图斑：没有可与基期对比的数据。</translation>
        </message>
        <message>
            <source>No permanent basic farmland (永农, YJJBNT) layer: the 永农 areas of every candidate will be 0, and the rules for 永久基本农田 (suspected illegal, priority) cannot apply.</source>
            <translation>未提供永久基本农田（永农，YJJBNT）图层：所有图斑的永农面积将为 0，涉及永久基本农田的规则（疑似违法、优先级）无法适用。</translation>
        </message>
        <message>
            <source>撂荒: no farmland with planting attribute 未耕种 (WG).</source>
            <translation>撂荒：没有种植属性为未耕种（WG）的耕地。</translation>
        </message>
        <message>
            <source>patch id</source>
            <translation>标识码</translation>
        </message>
        <message>
            <source>land-use class code</source>
            <translation>地类编码</translation>
        </message>
        <message>
            <source>planting attribute</source>
            <translation>种植属性</translation>
        </message>
        <message>
            <source>deduction coefficient</source>
            <translation>扣除系数</translation>
        </message>
        <message>
            <source>village code</source>
            <translation>村代码</translation>
        </message>
        <message>
            <source>Comparing the surveys (unchanged patches are skipped)…</source>
            <translation>正在对比两期调查（未变化的图斑直接跳过）…</translation>
        </message>
        <message>
            <source>Cancelled; nothing was written.</source>
            <translation>已取消，未写入任何内容。</translation>
        </message>
        <message>
            <source>撂荒 (planting attribute 未耕种 WG): {n} candidates, {area:.2f} mu, by township: {towns}.</source>
            <translation>撂荒（种植属性为未耕种 WG）：{n} 个图斑，{area:.2f} 亩，按乡镇：{towns}。</translation>
        </message>
        <message>
            <source>polygon id</source>
            <translation>图斑编号</translation>
        </message>
        <message>
            <source>current land-use class</source>
            <translation>现状地类</translation>
        </message>
        <message>
            <source>External polygons classified: {n} polygons, {found} candidates on baseline farmland, {unknown} without a current-use class.</source>
            <translation>外部变化图斑已分类：共 {n} 个图斑，位于基期耕地上的变化图斑 {found} 个，{unknown} 个没有现状地类。</translation>
        </message>
        <message>
            <source>The store has no patrol grid: candidates get no grid cell or officer. Run “Build the patrol grid” first.</source>
            <translation>田管库中没有巡田网格：变化图斑无法分配网格和田管员。请先运行“构建巡田网格”。</translation>
        </message>
        <message>
            <source>{n} candidates: {kinds}; pre-judged {cats}.</source>
            <translation>共 {n} 个变化图斑：{kinds}；预判结果：{cats}。</translation>
        </message>
        <message>
            <source>Layer “{layer}”: the deduction coefficients (KCXS) are given in percent (up to {largest:g}); they are read as fractions, e.g. 8 as 0.08.</source>
            <translation>图层“{layer}”：扣除系数（KCXS）按百分数填写（最大 {largest:g}），已按小数读取，例如 8 读作 0.08。</translation>
        </message>
        <message>
            <source>The baseline layer is in {crs}, which is not a projected coordinate system: areas need metres. Reproject it to the county's CGCS2000 3° zone (e.g. EPSG:4522) first.</source>
            <translation>基期图层的坐标系为 {crs}，不是投影坐标系：计算面积需要以米为单位。请先将其重投影到本县的 CGCS2000 3 度带（如 EPSG:4522）。</translation>
        </message>
        <message>
            <source>The external change polygons have no current-use class (field “{field}”): their candidates are of unknown use and need field verification.</source>
            <translation>外部变化图斑没有现状地类（字段“{field}”）：其变化用途不明，需外业核实。</translation>
        </message>
        <message>
            <source>{new} new cases waiting to be issued (待下发); {known} were already stored and keep their state and history.</source>
            <translation>新增 {new} 个待下发案件；{known} 个案件已在库中，保留其状态与流转记录。</translation>
        </message>
        <message>
            <source>The rules file {path} cannot be read: {error}</source>
            <translation>无法读取规则文件 {path}：{error}</translation>
        </message>
        <message>
            <source>Surveys compared: {paired} patches in both years, {identical} unchanged and skipped without overlay; {changed} changed, {removed} gone, {added} new; {small} small pieces and {slivers} slivers left out ({seconds:.1f} s).</source>
            <translation>两期调查对比完成：两期共有图斑 {paired} 个，其中 {identical} 个未变化，直接跳过、不做叠加；变化 {changed} 个，消失 {removed} 个，新增 {added} 个；剔除小碎片 {small} 个、细长碎片 {slivers} 个（用时 {seconds:.1f} 秒）。</translation>
        </message>
        <message>
            <source>Export enforcement package</source>
            <translation>导出执法整改包</translation>
        </message>
        <message>
            <source>&lt;p&gt;导出执法整改包 · Writes a folder that QField opens as it is, for the enforcement staff: the cases of the county, township or village (or all) that were approved as violations or are being enforced (a case whose rectification was returned is enforced again), read-only with case number, kind, state, deadline, area and permanent basic farmland in mu and version; their coded parcels; and a rectification layer of points: the case chosen from the list, the result (demolished and restored to farmland, rectified, rectification under way, refused, other), up to three photos taken into DCIM, a note, the officer and the time.&lt;/p&gt;&lt;p&gt;“Import rectification results” moves the cases from it: only cases still as they were exported. A package folder of the same name that is already there is kept under a new name, never overwritten.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导出执法整改包 · 为执法人员写出一个 QField 可直接打开的文件夹：县、乡镇或村（或全部）中审核通过的违法案件和执行中的案件（退回整改的案件重新执行，也在其中），只读，含案件编号、变化类型、状态、办理期限、面积与永久基本农田面积（亩）和版本；这些案件的已赋码地块；以及整改结果点图层：从列表中选择案件，选择整改结果（已拆除复耕、已整改到位、整改中、拒不整改、其他），最多拍三张照片存入 DCIM，填写说明、执法人员和时间。&lt;/p&gt;&lt;p&gt;“导入整改成果”据此流转案件：只流转仍与导出时相同的案件。已有的同名整改包文件夹改名保留，绝不覆盖。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>County, township or village code (empty: all)</source>
            <translation>县、乡镇或村代码（留空为全部）</translation>
        </message>
        <message>
            <source>Folder for the enforcement package</source>
            <translation>执法整改包的输出文件夹</translation>
        </message>
        <message>
            <source>Enforcement package folder</source>
            <translation>执法整改包文件夹</translation>
        </message>
        <message>
            <source>Cases</source>
            <translation>案件数</translation>
        </message>
        <message>
            <source>Parcels</source>
            <translation>地块数</translation>
        </message>
        <message>
            <source>Rectification results</source>
            <translation>整改结果</translation>
        </message>
        <message>
            <source>Cases to enforce</source>
            <translation>待执法案件</translation>
        </message>
        <message>
            <source>Coded parcels</source>
            <translation>已赋码地块</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>案件</translation>
        </message>
        <message>
            <source>Rectification result</source>
            <translation>整改结果</translation>
        </message>
        <message>
            <source>Photo 2</source>
            <translation>照片 2</translation>
        </message>
        <message>
            <source>Photo 3</source>
            <translation>照片 3</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>Officer</source>
            <translation>田管员</translation>
        </message>
        <message>
            <source>{cases} cases, {parcels} parcels → {folder}</source>
            <translation>{cases} 件案件，{parcels} 个地块 → {folder}</translation>
        </message>
        <message>
            <source>Enforcement package {prefix}</source>
            <translation>执法整改包 {prefix}</translation>
        </message>
        <message>
            <source>No case under {prefix} is approved or being enforced: the package has no case.</source>
            <translation>{prefix} 没有审核通过或执行中的案件：整改包中没有案件。</translation>
        </message>
        <message>
            <source>A package folder of that name was there; it is kept as {kept} (import its results if it has any).</source>
            <translation>已有同名的整改包文件夹，已改名保留为 {kept}（如有成果请导入）。</translation>
        </message>
        <message>
            <source>all units</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>Cannot write the project {path}: {error}</source>
            <translation>无法写入工程 {path}：{error}</translation>
        </message>
        <message>
            <source>Cannot open layer {layer} of {path}</source>
            <translation>无法打开 {path} 的图层 {layer}</translation>
        </message>
        <message>
            <source>Import rectification results</source>
            <translation>导入整改成果</translation>
        </message>
        <message>
            <source>&lt;p&gt;导入整改成果 · Reads an enforcement package returned from QField (the folder written by “Export enforcement package”, or its zip) back into the tianguan store it came from.&lt;/p&gt;&lt;p&gt;Each rectification row's photos are added as evidence of its case; then the case moves, by the enforcement role: rectification under way or refused starts the enforcement of an approved case (the result and note as comment); demolished and restored, rectified or other starts it if needed and reports the rectification (“整改结果：…”), which needs at least one photo.&lt;/p&gt;&lt;p&gt;Only cases still as they were exported (same version) move. Rows of cases that moved on, are closed or unknown, rows without result, a finished rectification without photo and photos missing or refused are conflicts (table and log) and nothing of their case is written. Importing the same package again adds nothing.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导入整改成果 · 把从 QField 交回的执法整改包（“导出执法整改包”写出的文件夹或其 zip）读回导出它的田管库。&lt;/p&gt;&lt;p&gt;每条整改结果的照片作为其案件的举证材料加入；随后案件以执法角色流转：整改中、拒不整改使审核通过的案件开始执行（流转意见为整改结果和说明）；已拆除复耕、已整改到位、其他在需要时先开始执行，再报告整改（“整改结果：……”），报告整改至少需要一张照片。&lt;/p&gt;&lt;p&gt;只有仍与导出时相同（版本相同）的案件才会流转。导出后已流转、已结案或不存在的案件的记录，没有选择整改结果的记录，没有照片的整改完成记录，以及缺失或被拒绝的照片，都列为冲突（冲突表和日志），该案件什么也不写。同一整改包再次导入不会新增内容。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Returned enforcement package folder</source>
            <translation>交回的执法整改包文件夹</translation>
        </message>
        <message>
            <source>Conflicts</source>
            <translation>冲突</translation>
        </message>
        <message>
            <source>Rectification rows read</source>
            <translation>读取的整改结果记录</translation>
        </message>
        <message>
            <source>Cases moved</source>
            <translation>流转的案件</translation>
        </message>
        <message>
            <source>Evidence files added</source>
            <translation>新增举证材料</translation>
        </message>
        <message>
            <source>{rows} rectification rows: {cases} cases moved, {photos} evidence files added, {conflicts} conflicts.</source>
            <translation>{rows} 条整改结果：{cases} 件案件已流转，新增举证材料 {photos} 个，冲突 {conflicts} 条。</translation>
        </message>
        <message>
            <source>Case {case}: now {state}.</source>
            <translation>案件 {case}：现为{state}。</translation>
        </message>
        <message>
            <source>{folder} is a field package of the group officers, not an enforcement package: import it with “Import field results”.</source>
            <translation>{folder} 是社级田管员的外业巡田包，不是执法整改包：请用“导入外业成果”导入。</translation>
        </message>
        <message>
            <source>Conflict in {layer} row {fid} (case {case}): {reason}; nothing was written.</source>
            <translation>冲突：{layer} 第 {fid} 条（案件 {case}）：{reason}；未写入任何内容。</translation>
        </message>
        <message>
            <source>This package was exported from another tianguan store ({path}); import it into that store.</source>
            <translation>该外业包导出自另一个田管库（{path}），请导入到该田管库。</translation>
        </message>
        <message>
            <source>{n} rows were imported before; skipped.</source>
            <translation>{n} 条记录此前已导入，已跳过。</translation>
        </message>
        <message>
            <source>Export cases to PostGIS</source>
            <translation>导出案件到 PostGIS</translation>
        </message>
        <message>
            <source>&lt;p&gt;导出到 PostGIS · Writes the cases of the tianguan store, with their history, into the county's shared PostGIS database, through a saved QGIS PostgreSQL connection (its user and password come from the connection's authentication configuration; nothing is stored in the plugin).&lt;/p&gt;&lt;p&gt;Cases are matched by their UUID. A case is added, or updated when the desk's copy is newer (higher version); exporting again changes nothing. Each batch of cases is one transaction: if the connection drops, the batches already written stay complete and running the export again finishes the rest. A case that was moved further in PostGIS than in this store is left as it is (counted as stale).&lt;/p&gt;&lt;p&gt;With “create or upgrade the schema”, the schema's tables, checks, indexes and row-level security are created or upgraded first (this needs the schema owner's rights).&lt;/p&gt;</source>
            <translation>&lt;p&gt;导出到 PostGIS · 将田管库中的案件及其流转记录写入本县共享的 PostGIS 数据库，通过 QGIS 中已保存的 PostgreSQL 连接进行（用户名和密码来自该连接的认证配置，插件不保存任何凭据）。&lt;/p&gt;&lt;p&gt;案件按 UUID 匹配：新案件予以添加；本机副本较新（版本号更高）时予以更新；重复导出不做任何改动。每批案件为一个事务：连接中断时，已写入的批次保持完整，再次运行导出即可完成其余部分。在 PostGIS 中已流转得比本库更靠后的案件保持不变（计为“库中较新”）。&lt;/p&gt;&lt;p&gt;勾选“先创建或升级模式”时，先创建或升级模式中的表、约束、索引和行级安全策略（需要模式所有者权限）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>PostGIS refused the export: {error}</source>
            <translation>PostGIS 拒绝了导出：{error}</translation>
        </message>
        <message>
            <source>PostgreSQL connection</source>
            <translation>PostgreSQL 连接</translation>
        </message>
        <message>
            <source>Schema</source>
            <translation>模式</translation>
        </message>
        <message>
            <source>Create or upgrade the schema first</source>
            <translation>先创建或升级模式</translation>
        </message>
        <message>
            <source>Cases added</source>
            <translation>新增案件数</translation>
        </message>
        <message>
            <source>Cases updated</source>
            <translation>更新案件数</translation>
        </message>
        <message>
            <source>Cases unchanged</source>
            <translation>未变案件数</translation>
        </message>
        <message>
            <source>Cases newer in PostGIS</source>
            <translation>PostGIS 中较新的案件数</translation>
        </message>
        <message>
            <source>Events added</source>
            <translation>新增流转记录数</translation>
        </message>
        <message>
            <source>the table cannot be opened</source>
            <translation>无法打开该表</translation>
        </message>
        <message>
            <source>The store has no cases: run the change analysis first.</source>
            <translation>田管库中没有案件：请先运行变化图斑提取与预判。</translation>
        </message>
        <message>
            <source>A case was moved in PostGIS while this export was writing it (its version changed): run the export again. {error}</source>
            <translation>导出写入期间，PostGIS 中的某个案件已被他人流转（版本号已变化）：请重新运行导出。{error}</translation>
        </message>
        <message>
            <source>PostGIS refused a state change recorded at this desk (the database does not allow that move, or it lacks its comment or attachment): {error}</source>
            <translation>PostGIS 拒绝了本机记录的一次状态流转（数据库不允许该流转，或缺少所需的意见或附件）：{error}</translation>
        </message>
        <message>
            <source>PostGIS has no such case in the county of this database role: {error}</source>
            <translation>PostGIS 中本数据库角色所属的县没有该案件：{error}</translation>
        </message>
        <message>
            <source>PostGIS refused a case of a county this database role does not belong to, or an action the role has no right to (an administrator maps each desk role to its county): {error}</source>
            <translation>PostGIS 拒绝了不属于本数据库角色所在县的案件，或该角色无权执行的操作（由管理员将每个县级数据库角色对应到其所在县）：{error}</translation>
        </message>
        <message>
            <source>Exporting {n} cases to schema “{schema}” of connection “{name}”…</source>
            <translation>正在将 {n} 个案件导出到连接“{name}”的模式“{schema}”…</translation>
        </message>
        <message>
            <source>Cancelled: the batches written so far are complete; run the export again to finish.</source>
            <translation>已取消：已写入的批次完整保留，再次运行导出即可完成。</translation>
        </message>
        <message>
            <source>{inserted} cases added, {updated} updated, {unchanged} unchanged, {stale} newer in PostGIS; {events} events added ({skipped} batches were already done).</source>
            <translation>新增案件 {inserted} 个，更新 {updated} 个，未变 {unchanged} 个，PostGIS 中较新 {stale} 个；新增流转记录 {events} 条（{skipped} 个批次此前已完成）。</translation>
        </message>
        <message>
            <source>Linxia farmland patrol field aliases</source>
            <translation>临夏田管字段别名</translation>
        </message>
        <message>
            <source>Chinese field aliases (临夏田管)</source>
            <translation>中文字段别名（临夏田管）</translation>
        </message>
        <message>
            <source>{n} cases have no county code (no grid code, parcel or patch code), e.g. {case}: build the patrol grid and run the change analysis with the store again.</source>
            <translation>{n} 个案件没有县代码（无网格编码、地块编码或图斑编码），例如 {case}：请先构建巡田网格，再指定田管库重新运行变化图斑提取与预判。</translation>
        </message>
        <message>
            <source>{n} names or comments held invisible control characters (such as NUL) and were exported without them.</source>
            <translation>{n} 个姓名或意见中含有不可见的控制字符（如 NUL），导出时已去除。</translation>
        </message>
        <message>
            <source>The field aliases of {schema}.{table} were not saved as its default style: {error}</source>
            <translation>{schema}.{table} 的字段别名未能保存为默认样式：{error}</translation>
        </message>
        <message>
            <source>Schema “{schema}” is at version {version}.</source>
            <translation>模式“{schema}”当前版本为 {version}。</translation>
        </message>
        <message>
            <source>its format is not supported (CSV, XLSX or JSON)</source>
            <translation>不支持该格式（CSV、XLSX 或 JSON）</translation>
        </message>
        <message>
            <source>Import video alarms</source>
            <translation>导入视频告警</translation>
        </message>
        <message>
            <source>&lt;p&gt;导入视频告警 · Reads the alarm records of the farmland video monitoring (CSV from Excel in UTF-8 or GBK, an Excel workbook, or the platform's JSON) and stores each alarm as a case waiting to be issued (待下发), pre-judged as 需外业核实: a camera alarm is a lead to check on the ground. With the optional reference layers (advanced parameters: permanent basic farmland, approvals, facility filings, temporary land, development boundary, as in change detection) each case is pre-judged like a change polygon instead, and stays one case waiting to be issued and checked in the field.&lt;/p&gt;&lt;p&gt;Columns (English or Chinese): camera_id 摄像头编号, time 告警时间 (any usual form, Excel serial numbers too; without an offset Beijing time), category 告警类型 (非农化, 非粮化, 撂荒, 挖湖, 其他 — the change kind of the case), the alarm's lon/lat 经度/纬度 or the camera's position camera_lon/camera_lat 摄像头经度/纬度 with its bearing 方位角 (degrees clockwise from north), and snapshot 抓拍图片 (a file, relative to the alarm file's folder, or a web address).&lt;/p&gt;&lt;p&gt;An alarm without its own position is placed along the camera's bearing at the given distance. The point is matched to the coded parcel under it, else the nearest one within the tolerance: the case is that parcel, with its space code, group grid cell and officer; without a coded parcel near, a small circle around the point. A local snapshot (JPEG, PNG or PDF) becomes the case's first evidence (kept with its SHA-256); a web address is kept in the case's documents.&lt;/p&gt;&lt;p&gt;Rows that cannot be used are listed with their row and column and skipped; the others are imported. The same camera and time is one alarm: importing the file again adds nothing. The optional camera layer has one point per camera that gave its position and bearing, with the coded parcels inside its view sector (radius and angle).&lt;/p&gt;</source>
            <translation>&lt;p&gt;导入视频告警 · 读取耕地视频监控的告警记录（Excel 保存的 UTF-8 或 GBK 编码 CSV、Excel 工作簿或平台导出的 JSON），每条告警保存为一个待下发案件，预判为需外业核实：摄像头告警只是线索，须到现场核实。选择可选的参考图层（高级参数：永久基本农田、批准用地、设施农业用地备案、临时用地、城镇开发边界，与变化图斑提取相同）时，案件改为像变化图斑一样预判，仍是一件待下发、须外业核实的案件。&lt;/p&gt;&lt;p&gt;列（中英文均可）：camera_id 摄像头编号、time 告警时间（常见格式均可，包括 Excel 序列数；无时区时按北京时间）、category 告警类型（非农化、非粮化、撂荒、挖湖、其他，即案件的变化类型）、告警经纬度 经度/纬度，或摄像头位置 camera_lon/camera_lat 摄像头经度/纬度及方位角 bearing（自正北顺时针的度数），以及 snapshot 抓拍图片（相对告警文件所在文件夹的文件，或网址）。&lt;/p&gt;&lt;p&gt;没有自身位置的告警，沿摄像头方位按给定距离推算位置。告警点匹配到其下方的赋码地块，否则为容差内最近的赋码地块：案件范围即该地块，并带有空间码、社级网格和田管员；附近没有赋码地块时为告警点周围的小圆。本地抓拍图片（JPEG、PNG 或 PDF）作为案件的第一份举证材料（记录 SHA-256）；网址记入案件的文件字段。&lt;/p&gt;&lt;p&gt;无法使用的行连同行号与列名列出并跳过，其余照常导入。同一摄像头同一时间即同一告警：再次导入不会重复添加。可选的摄像头图层：每个给出位置和方位的摄像头一个点，并统计其视域扇形（半径与角度）内的赋码地块。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>it has no rows</source>
            <translation>其中没有数据行</translation>
        </message>
        <message>
            <source>Sheet (workbooks; empty: the first)</source>
            <translation>工作表（工作簿用；留空：第一个）</translation>
        </message>
        <message>
            <source>it is neither UTF-8 nor GBK text</source>
            <translation>既不是 UTF-8 也不是 GBK 文本</translation>
        </message>
        <message>
            <source>Alarm records (.csv, .xlsx or .json)</source>
            <translation>告警记录（.csv、.xlsx 或 .json）</translation>
        </message>
        <message>
            <source>Distance of an alarm from its camera, when the record has no position (m)</source>
            <translation>记录无位置时告警距摄像头的距离（米）</translation>
        </message>
        <message>
            <source>Tolerance to the nearest coded parcel (m)</source>
            <translation>匹配最近赋码地块的容差（米）</translation>
        </message>
        <message>
            <source>Camera view radius (m)</source>
            <translation>摄像头视域半径（米）</translation>
        </message>
        <message>
            <source>Camera view angle (degrees)</source>
            <translation>摄像头视域角度（度）</translation>
        </message>
        <message>
            <source>Video alarms</source>
            <translation>视频告警</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Alarms read</source>
            <translation>读取告警数</translation>
        </message>
        <message>
            <source>Rows refused</source>
            <translation>拒绝行数</translation>
        </message>
        <message>
            <source>Snapshots stored as evidence</source>
            <translation>作为举证材料保存的抓拍图片</translation>
        </message>
        <message>
            <source>Alarms off coded parcels</source>
            <translation>未落在赋码地块上的告警</translation>
        </message>
        <message>
            <source>The distance of an alarm from its camera must be more than 0 m.</source>
            <translation>告警距摄像头的距离必须大于 0 米。</translation>
        </message>
        <message>
            <source>The store has no patrol grid: cases get no grid cell or officer. Run “Build the patrol grid” first.</source>
            <translation>田管库中没有巡田网格：案件没有网格和田管员。请先运行“构建巡田网格”。</translation>
        </message>
        <message>
            <source>Alarm records (*.csv *.xlsx *.json *.geojson *.CSV *.XLSX *.JSON)</source>
            <translation>告警记录 (*.csv *.xlsx *.json *.geojson *.CSV *.XLSX *.JSON)</translation>
        </message>
        <message>
            <source>{file} ({note}): {n} alarms read, {refused} rows refused.</source>
            <translation>{file}（{note}）：读取告警 {n} 条，拒绝 {refused} 行。</translation>
        </message>
        <message>
            <source>Choose the tianguan store the cases are kept in.</source>
            <translation>请选择保存案件的田管库。</translation>
        </message>
        <message>
            <source>it cannot be read: {error}</source>
            <translation>无法读取：{error}</translation>
        </message>
        <message>
            <source>it is not valid JSON ({error})</source>
            <translation>不是有效的 JSON（{error}）</translation>
        </message>
        <message>
            <source>… and {n} more problems.</source>
            <translation>…… 另有 {n} 个问题。</translation>
        </message>
        <message>
            <source>{n} alarms are more than {tolerance:g} m from every coded parcel: their cases are a {radius:g} m circle around the point.</source>
            <translation>{n} 条告警距所有赋码地块超过 {tolerance:g} 米：其案件范围为告警点周围 {radius:g} 米的圆。</translation>
        </message>
        <message>
            <source>{file} cannot be read as video alarms: {reason}</source>
            <translation>{file} 无法作为视频告警读取：{reason}</translation>
        </message>
        <message>
            <source>Row {row}: the snapshot {file} is not stored as evidence: {reason}</source>
            <translation>第 {row} 行：抓拍图片 {file} 未作为举证材料保存：{reason}</translation>
        </message>
        <message>
            <source>Day the terms are checked on (YYYY-MM-DD; empty: today)</source>
            <translation>核对期限的日期（YYYY-MM-DD；留空：今天）</translation>
        </message>
        <message>
            <source>Permanent basic farmland (YJJBNTTB)</source>
            <translation>永久基本农田（YJJBNTTB）</translation>
        </message>
        <message>
            <source>Approved conversions (批准用地)</source>
            <translation>批准用地</translation>
        </message>
        <message>
            <source>Facility-agriculture filings (设施农业用地备案)</source>
            <translation>设施农业用地备案</translation>
        </message>
        <message>
            <source>Temporary land (临时用地)</source>
            <translation>临时用地</translation>
        </message>
        <message>
            <source>Town development boundary (城镇开发边界)</source>
            <translation>城镇开发边界</translation>
        </message>
        <message>
            <source>Cancelled.</source>
            <translation>已取消。</translation>
        </message>
        <message>
            <source>Layer “{layer}” is empty: choose the layer with the features, or leave the parameter empty.</source>
            <translation>图层“{layer}”为空：请选择含有要素的图层，或将该参数留空。</translation>
        </message>
        <message>
            <source>Layer “{layer}” is in {crs}; it is reprojected to {target}.</source>
            <translation>图层“{layer}”的坐标系为 {crs}，已重投影到 {target}。</translation>
        </message>
        <message>
            <source>Layer “{layer}”, feature {fid}: {message}</source>
            <translation>图层“{layer}”，要素 {fid}：{message}</translation>
        </message>
        <message>
            <source>Verify the evidence files</source>
            <translation>核查举证材料</translation>
        </message>
        <message>
            <source>&lt;p&gt;Checks every evidence file of the tianguan store (or of one case) against the SHA-256 recorded when it was added: a file that is gone is listed as missing, one whose content differs as changed. The list can be written to a CSV file. With “Fail when a file is missing or changed” (the default) the run ends with an error when there is any, so that a scheduled check (qgis_process) is noticed.&lt;/p&gt;</source>
            <translation>&lt;p&gt;按入库时记录的 SHA-256 核对田管库（或某一案件）的每个举证材料文件：文件不存在的列为“缺失”，内容不同的列为“被修改”。问题清单可写出为 CSV 文件。勾选“有文件缺失或被修改时运行失败”（默认）时，只要有问题，运行即以错误结束，便于用 qgis_process 定期核查时及时发现。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Only this case (case id)</source>
            <translation>仅核查此案件（案件编号）</translation>
        </message>
        <message>
            <source>Fail when a file is missing or changed</source>
            <translation>有文件缺失或被修改时运行失败</translation>
        </message>
        <message>
            <source>Problem list (CSV)</source>
            <translation>问题清单（CSV）</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Files checked</source>
            <translation>核查的文件数</translation>
        </message>
        <message>
            <source>Files missing</source>
            <translation>缺失的文件数</translation>
        </message>
        <message>
            <source>Files changed</source>
            <translation>被修改的文件数</translation>
        </message>
        <message>
            <source>Evidence file {path} of case {case} is missing.</source>
            <translation>案件 {case} 的举证材料文件 {path} 缺失。</translation>
        </message>
        <message>
            <source>Evidence file {path} of case {case} has changed since it was stored (SHA-256 differs).</source>
            <translation>案件 {case} 的举证材料文件 {path} 在入库后被修改（SHA-256 不一致）。</translation>
        </message>
        <message>
            <source>listed above</source>
            <translation>见上文</translation>
        </message>
        <message>
            <source>{checked} evidence files checked: {missing} missing, {changed} changed.</source>
            <translation>共核查 {checked} 个举证材料文件：缺失 {missing} 个，被修改 {changed} 个。</translation>
        </message>
        <message>
            <source>listed above and in {path}</source>
            <translation>见上文及 {path}</translation>
        </message>
        <message>
            <source>{n} evidence files are missing or changed ({where}): restore them from a backup, or record why on their cases.</source>
            <translation>{n} 个举证材料文件缺失或被修改（{where}）：请从备份中恢复，或在相应案件中记录原因。</translation>
        </message>
        <message>
            <source>the code is empty</source>
            <translation>空间码为空</translation>
        </message>
        <message>
            <source>Decode a space code</source>
            <translation>解析空间码</translation>
        </message>
        <message>
            <source>&lt;p&gt;Reads a space code (for example keyed in from a warning post): checks its check character and gives the county, township, village and group it belongs to, its sequence number and type. With the tianguan store it also says whether the code is active or retired and what it came from or became.&lt;/p&gt;&lt;p&gt;码上查: with the store it also lists the parcel's patrol history — the tracks that passed within 50 m of it (when, who) — and its cases, and gives the parcel's status: 有未结案件 (a case not closed), 整改中 (its cases are being enforced or rectified), 巡田逾期 (its group missed its last patrol task) or 正常. The optional history table lists patrols and case events by time.&lt;/p&gt;</source>
            <translation>&lt;p&gt;解析一个空间码（例如从警示桩上抄录的）：核对校验码，给出其所属的县、乡镇、村、社以及地块顺序号和类型。指定田管库时，还会给出该码是现行还是已注销，以及它的父码和子码。&lt;/p&gt;&lt;p&gt;码上查：指定田管库时，还会列出该地块的巡田记录——从其 50 米以内经过的轨迹（时间、人员）——以及涉及它的案件，并给出地块状态：有未结案件（有尚未结案的案件）、整改中（其案件正在执行或已整改）、巡田逾期（所在社上一期巡田任务已过期）或正常。可选的历史表按时间列出巡田与案件流转。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>(unknown)</source>
            <translation>（未知）</translation>
        </message>
        <message>
            <source>sequence 00000 in “{code}” is not used</source>
            <translation>“{code}”中的顺序号 00000 未被使用</translation>
        </message>
        <message>
            <source>Status as of (empty: now)</source>
            <translation>状态统计时点（留空为当前时间）</translation>
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
            <translation>社</translation>
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
            <source>Last patrol</source>
            <translation>最近巡田</translation>
        </message>
        <message>
            <source>Parcel status (code)</source>
            <translation>地块状态（代码）</translation>
        </message>
        <message>
            <source>Parcel status</source>
            <translation>地块状态</translation>
        </message>
        <message>
            <source>a space code has {length} characters, “{code}” has {count}</source>
            <translation>空间码应为 {length} 位，“{code}”为 {count} 位</translation>
        </message>
        <message>
            <source>the first 19 characters of “{code}” must be digits</source>
            <translation>“{code}”的前 19 位必须是数字</translation>
        </message>
        <message>
            <source>the check character of “{code}” is {found}, expected {expected}</source>
            <translation>“{code}”的校验码为 {found}，应为 {expected}</translation>
        </message>
        <message>
            <source>Space code</source>
            <translation>空间码</translation>
        </message>
        <message>
            <source>Parcel history</source>
            <translation>地块历史</translation>
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
            <source>Patrols (tracks that saw the parcel)</source>
            <translation>巡田次数（经过地块的轨迹）</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
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
            <source>Patrols within {distance} m: {count} (last: {last})</source>
            <translation>{distance} 米内巡田：{count} 次（最近：{last}）</translation>
        </message>
        <message>
            <source>Cases: {total}, of which open: {open}</source>
            <translation>案件：{total} 件，其中未结 {open} 件</translation>
        </message>
        <message>
            <source>Parcel status: {name}</source>
            <translation>地块状态：{name}</translation>
        </message>
        <message>
            <source>Not a valid space code: {reason}</source>
            <translation>不是有效的空间码：{reason}</translation>
        </message>
        <message>
            <source>none</source>
            <translation>无</translation>
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
            <source>QR content template ({code} is replaced)</source>
            <translation>二维码内容模板（{code} 替换为空间码）</translation>
        </message>
        <message>
            <source>&lt;p&gt;Gives every farmland parcel of the county its space code (its “ID card”): each contract parcel clipped to survey farmland (耕地, DLBM 01xx), and each piece of farmland that no contract parcel covers.&lt;/p&gt;&lt;p&gt;Code = county 6 + township 3 + village 3 + group 2 + parcel sequence 5 + one ISO 7064 MOD 11-2 check character (20 characters). Within a group, numbers follow a Hilbert curve, so neighbouring parcels have close numbers; farmland without a contract parcel is numbered from 90001.&lt;/p&gt;&lt;p&gt;Re-coding keeps the code of every parcel that is still the same parcel (overlap IoU ≥ the threshold), gives new parcels the next unused number, records parents of split and merged parcels, and never reuses a retired code. With a 田管库 (GeoPackage store) the previous codes come from it and the run is recorded in it, all in one transaction.&lt;/p&gt;&lt;p&gt;Farmland strips narrower than the minimum width between contract parcels (田坎, slivers) are not coded on their own; uncovered farmland smaller than the minimum area neither. Invalid geometries are repaired and listed in the issues layer; inputs are never modified.&lt;/p&gt;&lt;p&gt;The codes are guarded: a run that would retire more than the allowed share (5 % by default) of the store's codes in the townships it re-codes, or keep none of them, stops before anything is written — a DLTB of one township or another county, or coordinates under a wrong CRS, would otherwise retire the county's codes and every printed label. “Preview only” computes the counts and lists the codes that would be retired (issues layer) without writing to the store; “I am replacing the county's survey” lets a real replacement through.&lt;/p&gt;</source>
            <translation>&lt;p&gt;为全县每一块耕地生成空间码（地块“身份证”）：每个承包地块按三调耕地（DLBM 01xx）裁切后赋一个码，没有承包地块覆盖的耕地也各赋一个码。&lt;/p&gt;&lt;p&gt;空间码 = 县 6 位 + 乡镇 3 位 + 村 3 位 + 社 2 位 + 地块顺序号 5 位 + 1 位 ISO 7064 MOD 11-2 校验码，共 20 位。同一社内按希尔伯特曲线编号，地面上相邻的地块编号相近；未承包耕地从 90001 起编号。&lt;/p&gt;&lt;p&gt;重新赋码时，仍是同一地块（重叠度 IoU 不低于阈值）的保留原码；新地块取该社下一个未用过的号；分割、合并的地块记录父码；已注销的编码永不复用。指定田管库（GeoPackage）时，以其中的现行编码为上次结果，并在一个事务中记录本次赋码。&lt;/p&gt;&lt;p&gt;承包地块之间窄于最小宽度的耕地细条（田坎、缝隙）不单独赋码，小于最小面积的未承包耕地也不单独赋码。无效几何自动修复并列入问题清单；输入图层从不修改。&lt;/p&gt;&lt;p&gt;编码受到保护：一次赋码若会注销本次所涉乡镇在田管库中现行编码的比例超过允许值（默认 5%），或一个都不保留，则在写入任何内容之前停止——只给了一个乡镇或别的县的地类图斑、坐标系标错时，否则会注销全县的编码，已印制的标识全部作废。“仅预览”照常计算数量，并在问题清单中列出将被注销的编码，但不写入田管库；确实更换全县调查成果时，勾选“我在替换全县的调查成果”方可继续。&lt;/p&gt;</translation>
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
            <source>Largest share of the codes a run may retire (%)</source>
            <translation>一次赋码最多可注销的编码比例（%）</translation>
        </message>
        <message>
            <source>Preview only: count and list what would change, write nothing to the store</source>
            <translation>仅预览：统计并列出将发生的变化，不写入田管库</translation>
        </message>
        <message>
            <source>I am replacing the county's survey (allow retiring many codes)</source>
            <translation>我在替换全县的调查成果（允许注销大量编码）</translation>
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
            <source>Coding run</source>
            <translation>赋码批次</translation>
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
            <source>No township could be derived from the inputs: check ZLDWDM of DLTB and DKBM/FBFBM of the contract parcels.</source>
            <translation>无法从输入数据确定任何乡镇：请检查 DLTB 的 ZLDWDM 和承包地块的 DKBM/FBFBM。</translation>
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
            <source>location unit name</source>
            <translation>坐落单位名称</translation>
        </message>
        <message>
            <source>patch class area</source>
            <translation>图斑地类面积</translation>
        </message>
        <message>
            <source>The QR content template must contain {code}.</source>
            <translation>二维码内容模板必须包含 {code}。</translation>
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
            <source>Preview: nothing was written to the store {path}. This run would keep {kept} and retire {retired} of the {previous} codes of its townships ({share:.1f} %); the codes it would retire are in the issues layer.</source>
            <translation>预览：未写入田管库 {path}。本次赋码将在所涉乡镇 {previous} 个现行编码中保留 {kept} 个、注销 {retired} 个（{share:.1f}%）；将被注销的编码已列入问题清单。</translation>
        </message>
        <message>
            <source>Coded {coded} parcels: {kept} kept, {new} new ({split} from splits, {merge} from merges), {retired} codes retired.</source>
            <translation>共赋码 {coded} 块：保留 {kept} 块，新增 {new} 块（其中分割 {split} 块、合并 {merge} 块），注销 {retired} 个编码。</translation>
        </message>
        <message>
            <source>Nothing was written: the DLTB {layer} is of county {run}, but the codes in the store {path} are of county {store}. A tianguan store holds one county: choose that county's DLTB, or another store for this county.</source>
            <translation>未写入任何内容：地类图斑 {layer} 属于县 {run}，而田管库 {path} 中的空间码属于县 {store}。一个田管库只存一个县：请选择该县的地类图斑，或为此县另建田管库。</translation>
        </message>
        <message>
            <source>Nothing was written: the DLTB {layer} lies away from every parcel coded in the store {path} (their extents do not meet). Its coordinates are probably under a wrong CRS (another CGCS2000 zone, or a CRS label that does not match the numbers): check the layer's CRS, or tick “I am replacing the county's survey” if the county's parcels really moved.</source>
            <translation>未写入任何内容：地类图斑 {layer} 与田管库 {path} 中已赋码的地块完全不相交（范围互不重叠）。其坐标多半标错了坐标系（另一个 CGCS2000 投影带，或坐标系标注与坐标数值不符）：请检查该图层的坐标系；若全县地块确实发生了移动，请勾选“我在替换全县的调查成果”。</translation>
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
            <source>Nothing was written: this run would retire {retired} of the {previous} codes of its townships in the store {path} ({share:.1f} %, more than the allowed {limit:.1f} %) and keep {kept}. The inputs are probably not the county's whole survey: a DLTB of one township or of another county, or coordinates under a wrong CRS. Check DLTB and DK, run with “Preview only” to see the codes that would be retired, or tick “I am replacing the county's survey” if that is what you do.</source>
            <translation>未写入任何内容：本次赋码将注销田管库 {path} 中所涉乡镇 {previous} 个现行编码中的 {retired} 个（{share:.1f}%，超过允许的 {limit:.1f}%），只保留 {kept} 个。输入很可能不是全县的调查成果：只给了一个乡镇或别的县的地类图斑，或坐标系标错。请检查 DLTB 与 DK；可勾选“仅预览”查看将被注销的编码；如果确实在替换全县的调查成果，请勾选“我在替换全县的调查成果”。</translation>
        </message>
        <message>
            <source>Without “I am replacing the county's survey” this run would be refused: it retires more than the allowed {limit:.1f} % of the codes, or keeps none.</source>
            <translation>若不勾选“我在替换全县的调查成果”，本次赋码将被拒绝：注销的编码超过允许的 {limit:.1f}%，或一个都不保留。</translation>
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
            <source>Layer DLTB lies at longitude {lon:.1f}, outside China's CGCS2000 zones: check its coordinate reference system ({error}).</source>
            <translation>图层 DLTB 位于经度 {lon:.1f}，不在我国 CGCS2000 分带范围内：请检查其坐标系（{error}）。</translation>
        </message>
        <message>
            <source>{path} was created by another program while the parcels were coded, so the new store was not put there and nothing was written: code into that store, or choose another path.</source>
            <translation>赋码期间另一程序在 {path} 创建了文件，新田管库未放到该处，也未写入任何内容：请对该田管库赋码，或另选路径。</translation>
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
            <source>{n} active codes in the store are the previous coding.</source>
            <translation>以田管库中 {n} 个现行编码作为上次赋码结果。</translation>
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
            <source>Writing {path}…</source>
            <translation>正在写出 {path}…</translation>
        </message>
        <message>
            <source>Undo the latest coding run</source>
            <translation>撤销上次赋码</translation>
        </message>
        <message>
            <source>&lt;p&gt;Takes the tianguan store back to where it was before its latest one-click coding run: the codes the run retired are active again with their QR content and lineage, the parcels it changed get their old values back, and the codes it issued are retired as “undone” — kept in the store so that their numbers are never given to another parcel. Only the latest run can be undone, once. “Preview only” says what would be undone without changing anything.&lt;/p&gt;</source>
            <translation>&lt;p&gt;把田管库恢复到最近一次一键赋码之前的状态：该次注销的编码恢复为现行（二维码内容与谱系不变），该次修改的地块恢复原值，该次新发的编码注销为“已撤销”——仍保留在田管库中，其编号永不再发给其他地块。只能撤销最近一次赋码，且只能撤销一次。“仅预览”只说明将撤销什么，不作任何修改。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Preview only: say what would be undone, change nothing</source>
            <translation>仅预览：说明将撤销什么，不作修改</translation>
        </message>
        <message>
            <source>Codes active again</source>
            <translation>恢复现行的编码</translation>
        </message>
        <message>
            <source>Parcels given their old values</source>
            <translation>恢复原值的地块</translation>
        </message>
        <message>
            <source>Codes of the run retired as undone</source>
            <translation>该次新发并注销为已撤销的编码</translation>
        </message>
        <message>
            <source>Preview: nothing was changed.</source>
            <translation>预览：未作任何修改。</translation>
        </message>
        <message>
            <source>Coding run {run} undone: {restored} codes active again, {reverted} parcels given their old values, {withdrawn} codes of the run retired as undone (never issued again).</source>
            <translation>赋码批次 {run} 已撤销：{restored} 个编码恢复现行，{reverted} 个地块恢复原值，该次新发的 {withdrawn} 个编码注销为已撤销（永不再发）。</translation>
        </message>
        <message>
            <source>Latest coding run {run} (finished {at}): {inserted} codes issued, {updated} changed, {retired} retired.</source>
            <translation>最近一次赋码批次 {run}（完成于 {at}）：新发编码 {inserted} 个，修改 {updated} 个，注销 {retired} 个。</translation>
        </message>
        <message>
            <source>The store {path} has no coding run that can be undone: only the latest run can be undone, once.</source>
            <translation>田管库 {path} 没有可撤销的赋码批次：只能撤销最近一次赋码，且只能撤销一次。</translation>
        </message>
        <message>
            <source>The coding run could not be undone: {error}</source>
            <translation>无法撤销该次赋码：{error}</translation>
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
            <source>Remarks</source>
            <translation>备注</translation>
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
            <source>Level</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Level name</source>
            <translation>级别名称</translation>
        </message>
        <message>
            <source>Grid code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <source>Parent grid code</source>
            <translation>上级网格编码</translation>
        </message>
        <message>
            <source>Grid name</source>
            <translation>网格名称</translation>
        </message>
        <message>
            <source>Problem type</source>
            <translation>问题类型</translation>
        </message>
        <message>
            <source>Problem</source>
            <translation>问题说明</translation>
        </message>
        <message>
            <source>Related code</source>
            <translation>相关编码</translation>
        </message>
        <message>
            <source>Task id</source>
            <translation>任务编号</translation>
        </message>
        <message>
            <source>Grid level</source>
            <translation>网格级别</translation>
        </message>
        <message>
            <source>Period start</source>
            <translation>周期开始</translation>
        </message>
        <message>
            <source>Period end</source>
            <translation>周期结束</translation>
        </message>
        <message>
            <source>Due (Beijing time)</source>
            <translation>截止时间</translation>
        </message>
        <message>
            <source>Due (UTC)</source>
            <translation>截止时间（UTC）</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>电话</translation>
        </message>
        <message>
            <source>Patrolled at (Beijing time)</source>
            <translation>巡田时间</translation>
        </message>
        <message>
            <source>Row</source>
            <translation>行号</translation>
        </message>
        <message>
            <source>Track id</source>
            <translation>轨迹编号</translation>
        </message>
        <message>
            <source>Start time (UTC)</source>
            <translation>开始时间（UTC）</translation>
        </message>
        <message>
            <source>End time (UTC)</source>
            <translation>结束时间（UTC）</translation>
        </message>
        <message>
            <source>Length (m)</source>
            <translation>长度（米）</translation>
        </message>
        <message>
            <source>Duration (s)</source>
            <translation>时长（秒）</translation>
        </message>
        <message>
            <source>Flags</source>
            <translation>问题标记</translation>
        </message>
        <message>
            <source>Flags (description)</source>
            <translation>问题标记说明</translation>
        </message>
        <message>
            <source>Accepted (1 yes, 0 no)</source>
            <translation>是否合格（1是 0否）</translation>
        </message>
        <message>
            <source>Check figures (JSON)</source>
            <translation>检查数值（JSON）</translation>
        </message>
        <message>
            <source>Seen</source>
            <translation>是否巡查</translation>
        </message>
        <message>
            <source>Last seen (Beijing time)</source>
            <translation>最近巡查时间（北京时间）</translation>
        </message>
        <message>
            <source>Share seen</source>
            <translation>巡查面积比例</translation>
        </message>
        <message>
            <source>Farmland seen (m²)</source>
            <translation>已巡查耕地面积（㎡）</translation>
        </message>
        <message>
            <source>Farmland coverage rate</source>
            <translation>耕地覆盖率</translation>
        </message>
        <message>
            <source>Permanent basic farmland seen (m²)</source>
            <translation>已巡查永久基本农田面积（㎡）</translation>
        </message>
        <message>
            <source>Permanent basic farmland coverage rate</source>
            <translation>永久基本农田覆盖率</translation>
        </message>
        <message>
            <source>Patrols</source>
            <translation>巡田次数</translation>
        </message>
        <message>
            <source>Parcels seen</source>
            <translation>已巡查地块数</translation>
        </message>
        <message>
            <source>Grid level (2 county … 5 group)</source>
            <translation>网格级别（2 县 … 5 社）</translation>
        </message>
        <message>
            <source>Case id</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Change class</source>
            <translation>变化类型</translation>
        </message>
        <message>
            <source>Change class (name)</source>
            <translation>变化类型名称</translation>
        </message>
        <message>
            <source>Pre-judgement</source>
            <translation>预判结论</translation>
        </message>
        <message>
            <source>Pre-judgement (name)</source>
            <translation>预判结论名称</translation>
        </message>
        <message>
            <source>Reasons</source>
            <translation>预判依据</translation>
        </message>
        <message>
            <source>Priority</source>
            <translation>优先级</translation>
        </message>
        <message>
            <source>Class before</source>
            <translation>变化前地类编码</translation>
        </message>
        <message>
            <source>Class before (name)</source>
            <translation>变化前地类名称</translation>
        </message>
        <message>
            <source>Class after</source>
            <translation>变化后地类编码</translation>
        </message>
        <message>
            <source>Class after (name)</source>
            <translation>变化后地类名称</translation>
        </message>
        <message>
            <source>Planting attribute after</source>
            <translation>变化后种植属性</translation>
        </message>
        <message>
            <source>Patch id before</source>
            <translation>变化前图斑标识码</translation>
        </message>
        <message>
            <source>Patch id after</source>
            <translation>变化后图斑标识码</translation>
        </message>
        <message>
            <source>External polygon id</source>
            <translation>卫片图斑编号</translation>
        </message>
        <message>
            <source>Area (mu)</source>
            <translation>面积（亩）</translation>
        </message>
        <message>
            <source>Approved area (m²)</source>
            <translation>批准面积（㎡）</translation>
        </message>
        <message>
            <source>Filed facility area (m²)</source>
            <translation>设施农用地备案面积（㎡）</translation>
        </message>
        <message>
            <source>Temporary-land area (m²)</source>
            <translation>临时用地面积（㎡）</translation>
        </message>
        <message>
            <source>Area inside the development boundary (m²)</source>
            <translation>城镇开发边界内面积（㎡）</translation>
        </message>
        <message>
            <source>Documents</source>
            <translation>批准/备案文号</translation>
        </message>
        <message>
            <source>Space codes of the parcels</source>
            <translation>涉及地块空间码</translation>
        </message>
        <message>
            <source>Rules version</source>
            <translation>规则版本</translation>
        </message>
        <message>
            <source>Case state</source>
            <translation>案件状态</translation>
        </message>
        <message>
            <source>Case no.</source>
            <translation>案件编号</translation>
        </message>
        <message>
            <source>Case key</source>
            <translation>案件内容标识</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>来源</translation>
        </message>
        <message>
            <source>Analysis run</source>
            <translation>分析批次</translation>
        </message>
        <message>
            <source>Detected at</source>
            <translation>发现时间</translation>
        </message>
        <message>
            <source>Updated at</source>
            <translation>更新时间</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>版本号</translation>
        </message>
        <message>
            <source>Event id</source>
            <translation>流转记录编号</translation>
        </message>
        <message>
            <source>Actor</source>
            <translation>操作人</translation>
        </message>
        <message>
            <source>From state</source>
            <translation>原状态</translation>
        </message>
        <message>
            <source>To state</source>
            <translation>新状态</translation>
        </message>
        <message>
            <source>Comment</source>
            <translation>意见</translation>
        </message>
        <message>
            <source>Attachments</source>
            <translation>附件</translation>
        </message>
        <message>
            <source>Place in the case's history</source>
            <translation>案件流转序号</translation>
        </message>
        <message>
            <source>Recorded by (database role)</source>
            <translation>记录人（数据库角色）</translation>
        </message>
        <message>
            <source>Recorded at (database time)</source>
            <translation>记录时间（数据库时间）</translation>
        </message>
        <message>
            <source>Package layer</source>
            <translation>外业包图层</translation>
        </message>
        <message>
            <source>Feature id in the package</source>
            <translation>外业包中的要素编号</translation>
        </message>
        <message>
            <source>Conflict</source>
            <translation>冲突</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>详情</translation>
        </message>
        <message>
            <source>Tasks overdue</source>
            <translation>已过期任务数</translation>
        </message>
        <message>
            <source>Tasks due soon</source>
            <translation>即将到期任务数</translation>
        </message>
        <message>
            <source>Earliest due (Beijing time)</source>
            <translation>最早截止时间</translation>
        </message>
        <message>
            <source>Number in the workbook</source>
            <translation>序号</translation>
        </message>
        <message>
            <source>Ledger year</source>
            <translation>台账年度</translation>
        </message>
        <message>
            <source>Ledger entry</source>
            <translation>台账</translation>
        </message>
        <message>
            <source>Ledger entry (name)</source>
            <translation>台账名称</translation>
        </message>
        <message>
            <source>Camera id</source>
            <translation>摄像头编号</translation>
        </message>
        <message>
            <source>Alarm time (Beijing time)</source>
            <translation>告警时间（北京时间）</translation>
        </message>
        <message>
            <source>Alarm category</source>
            <translation>告警类型</translation>
        </message>
        <message>
            <source>Change kind</source>
            <translation>变化类型</translation>
        </message>
        <message>
            <source>Change kind name</source>
            <translation>变化类型名称</translation>
        </message>
        <message>
            <source>Placed from the camera's bearing (1 = yes)</source>
            <translation>按摄像头方位推算位置（1 = 是）</translation>
        </message>
        <message>
            <source>Space code of the parcel</source>
            <translation>地块空间码</translation>
        </message>
        <message>
            <source>Distance to the parcel (m)</source>
            <translation>距地块距离（米）</translation>
        </message>
        <message>
            <source>Snapshot</source>
            <translation>抓拍图片</translation>
        </message>
        <message>
            <source>New case</source>
            <translation>新案件</translation>
        </message>
        <message>
            <source>Bearing (degrees from north)</source>
            <translation>方位角（自正北，度）</translation>
        </message>
        <message>
            <source>View radius (m)</source>
            <translation>视域半径（米）</translation>
        </message>
        <message>
            <source>View angle (degrees)</source>
            <translation>视域角度（度）</translation>
        </message>
        <message>
            <source>Alarms</source>
            <translation>告警数</translation>
        </message>
        <message>
            <source>Coded parcels in view</source>
            <translation>视域内赋码地块数</translation>
        </message>
        <message>
            <source>Space codes in view</source>
            <translation>视域内空间码</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>What</source>
            <translation>内容</translation>
        </message>
        <message>
            <source>Group's last patrol (Beijing time)</source>
            <translation>所在社最近巡田（北京时间）</translation>
        </message>
        <message>
            <source>Group's deciding task status</source>
            <translation>所在社巡田任务状态</translation>
        </message>
        <message>
            <source>Post number</source>
            <translation>桩号</translation>
        </message>
        <message>
            <source>Labelled code</source>
            <translation>标注编码</translation>
        </message>
        <message>
            <source>Group name</source>
            <translation>社名称</translation>
        </message>
        <message>
            <source>Code status</source>
            <translation>空间码状态</translation>
        </message>
        <message>
            <source>Code status (name)</source>
            <translation>空间码状态（名称）</translation>
        </message>
        <message>
            <source>Installed on</source>
            <translation>安装日期</translation>
        </message>
        <message>
            <source>Condition</source>
            <translation>状况</translation>
        </message>
        <message>
            <source>Updated at (UTC)</source>
            <translation>更新时间（UTC）</translation>
        </message>
        <message>
            <source>The field aliases could not be saved with {output}.</source>
            <translation>字段别名未能保存到 {output}。</translation>
        </message>
        <message>
            <source>Prefecture</source>
            <translation>州</translation>
        </message>
        <message>
            <source>Build the patrol grid</source>
            <translation>构建巡田网格</translation>
        </message>
        <message>
            <source>&lt;p&gt;Builds the five-level patrol grid (prefecture, county, township, village, group) from the survey's townships (XZQ) and villages (CJDCQ) and the group codes of the coded parcels. The survey has no group boundaries: each village is divided among its groups by a Voronoi allocation of its parcels, clipped to the village, so that the groups tile their village exactly. Every cell gets its code, parent code, name, farmland and permanent basic farmland area and parcel count.&lt;/p&gt;&lt;p&gt;The coded parcels come from the layer given, or else from the tianguan store's active codes. The grid is saved in the tianguan store as a new build; older builds are kept.&lt;/p&gt;</source>
            <translation>&lt;p&gt;依据三调的乡镇（XZQ）、村级调查区（CJDCQ）与已赋码地块的社代码，构建州、县、乡、村、社五级巡田网格。三调没有社界：每个村按其地块代表点的泰森多边形（Voronoi）分配给各社，并裁切到村界，使各社恰好铺满本村。每个网格单元带有网格编码、上级编码、名称、耕地与永久基本农田面积及地块数。&lt;/p&gt;&lt;p&gt;已赋码地块取自所给图层，否则取田管库中的现行空间码。网格作为新版本保存在田管库中，旧版本保留。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Reading townships and villages…</source>
            <translation>正在读取乡镇与村…</translation>
        </message>
        <message>
            <source>Dividing villages among their groups…</source>
            <translation>正在将各村划分到社…</translation>
        </message>
        <message>
            <source>Townships (XZQ)</source>
            <translation>乡镇（XZQ）</translation>
        </message>
        <message>
            <source>Grid build</source>
            <translation>网格版本</translation>
        </message>
        <message>
            <source>Layer XZQ is in a geographic CRS; project it to its CGCS2000 3-degree zone first.</source>
            <translation>图层 XZQ 为地理坐标系；请先投影到所在的 CGCS2000 3 度带。</translation>
        </message>
        <message>
            <source>No coded parcels: every village becomes a single group cell. Run one-click coding first for a grid by group.</source>
            <translation>没有已赋码地块：每个村只形成一个社级网格。请先运行一键赋码，以便按社划分网格。</translation>
        </message>
        <message>
            <source>township code</source>
            <translation>乡镇代码</translation>
        </message>
        <message>
            <source>township name</source>
            <translation>乡镇名称</translation>
        </message>
        <message>
            <source>village name</source>
            <translation>村名称</translation>
        </message>
        <message>
            <source>Grid cells: {p} prefecture, {c} county, {t} township, {v} village, {g} group.</source>
            <translation>网格单元：州级 {p} 个，县级 {c} 个，乡级 {t} 个，村级 {v} 个，社级 {g} 个。</translation>
        </message>
        <message>
            <source>Give the coded farmland parcels or a tianguan store that holds them.</source>
            <translation>请给出已赋码的耕地地块图层，或存有空间码的田管库。</translation>
        </message>
        <message>
            <source>Layer “{layer}”, feature {fid}: geometry repaired or unusable ({kind}).</source>
            <translation>图层“{layer}”要素 {fid}：几何已修复或不可用（{kind}）。</translation>
        </message>
        <message>
            <source>Grid build {build} saved in the store and made active.</source>
            <translation>网格版本 {build} 已保存到田管库并设为现行。</translation>
        </message>
        <message>
            <source>farmland area</source>
            <translation>耕地面积</translation>
        </message>
        <message>
            <source>permanent basic farmland area</source>
            <translation>永久基本农田面积</translation>
        </message>
        <message>
            <source>{n} parcels have no valid space code and are left out of the grid.</source>
            <translation>{n} 个地块没有有效空间码，未参与网格划分。</translation>
        </message>
        <message>
            <source>Layer {layer}: {n} features have no valid {digits}-digit unit code (first: feature {fid}). Fill the code field and run again.</source>
            <translation>图层 {layer}：{n} 个要素没有有效的 {digits} 位单位代码（第一个：要素 {fid}）。请补全代码字段后重新运行。</translation>
        </message>
        <message>
            <source>Cannot build the grid: {error}</source>
            <translation>无法构建网格：{error}</translation>
        </message>
        <message>
            <source>Check patrol grid coverage</source>
            <translation>网格覆盖检查</translation>
        </message>
        <message>
            <source>&lt;p&gt;Checks that the patrol grid covers the county exactly once at every level: gaps and overlaps between the cells under one parent, cells that reach beyond their parent or whose parent is missing, farmland parcels that are in no group cell or in two, and parcels whose space code names another group than the cell they lie in. Every finding is a feature with its reason, to be fixed on the map.&lt;/p&gt;&lt;p&gt;The grid is the layer given (fields JB, WGBM, SJBM as written by “Build the patrol grid”) or the store's active build; the parcels are the layer given or the store's active codes.&lt;/p&gt;</source>
            <translation>&lt;p&gt;检查巡田网格在每一级是否恰好覆盖全县一次：同一上级下各单元之间的缝隙与重叠、超出上级范围或缺少上级的单元、不在任何社级网格或同时在两个社级网格中的耕地地块，以及空间码所指的社与所在网格不一致的地块。每个问题输出为带原因的要素，便于在地图上修正。&lt;/p&gt;&lt;p&gt;网格取自所给图层（由“构建巡田网格”写出的 JB、WGBM、SJBM 字段）或田管库中的现行版本；地块取自所给图层或田管库中的现行空间码。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Checking cells against their parents…</source>
            <translation>正在对照上级检查各单元…</translation>
        </message>
        <message>
            <source>Checking farmland parcels against the group cells…</source>
            <translation>正在对照社级网格检查耕地地块…</translation>
        </message>
        <message>
            <source>Smallest area reported (m²)</source>
            <translation>报告的最小面积（㎡）</translation>
        </message>
        <message>
            <source>Grid coverage problems</source>
            <translation>网格覆盖问题</translation>
        </message>
        <message>
            <source>Problems</source>
            <translation>问题数</translation>
        </message>
        <message>
            <source>The grid covers everything exactly once.</source>
            <translation>网格恰好全覆盖一次，未发现问题。</translation>
        </message>
        <message>
            <source>Give the patrol grid layer or a tianguan store that holds a grid.</source>
            <translation>请给出巡田网格图层，或存有网格的田管库。</translation>
        </message>
        <message>
            <source>grid level</source>
            <translation>网格级别</translation>
        </message>
        <message>
            <source>grid code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <source>parent grid code</source>
            <translation>上级网格编码</translation>
        </message>
        <message>
            <source>The store has no patrol grid yet: run “Build the patrol grid” first.</source>
            <translation>田管库中还没有巡田网格：请先运行“构建巡田网格”。</translation>
        </message>
        <message>
            <source>{what}: {n}</source>
            <translation>{what}：{n}</translation>
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
            <source>The deduction coefficients (KCXS) of the survey are percentages (largest {value}): they were read as fractions, e.g. 8 as 0.08.</source>
            <translation>地类图斑的扣除系数（KCXS）为百分数（最大 {value}），已按小数读取，例如 8 读作 0.08。</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>标题</translation>
        </message>
        <message>
            <source>Subtitle</source>
            <translation>副标题</translation>
        </message>
        <message>
            <source>Map</source>
            <translation>地图</translation>
        </message>
        <message>
            <source>County name</source>
            <translation>县名</translation>
        </message>
        <message>
            <source>North arrow</source>
            <translation>指北针</translation>
        </message>
        <message>
            <source>Legend</source>
            <translation>图例</translation>
        </message>
        <message>
            <source>Scale bar</source>
            <translation>比例尺</translation>
        </message>
        <message>
            <source>Map date</source>
            <translation>制图日期</translation>
        </message>
        <message>
            <source>Coordinate system</source>
            <translation>坐标系</translation>
        </message>
        <message>
            <source>Indicator value</source>
            <translation>指标值</translation>
        </message>
        <message>
            <source>Map frame</source>
            <translation>图框</translation>
        </message>
        <message>
            <source>The map could not be written to {path} (error {code}) {error}</source>
            <translation>专题图无法写入 {path}（错误 {code}）{error}</translation>
        </message>
        <message>
            <source>Check patrol track authenticity</source>
            <translation>轨迹真实性检查</translation>
        </message>
        <message>
            <source>&lt;p&gt;轨迹真实性检查 · Checks the patrol tracks in the tianguan store: is each a real walk over the officer's own group (社) cell? Flags: driven (median or 85th-percentile moving speed above walking, or a long stretch at driving speed), too short (duration or length), outside the grid (too little of the track inside the group cell of the active patrol grid, with a tolerance), teleport (two consecutive fixes too far apart for the time between them), replay (the same path at the same pace as an earlier track of any officer), regular sampling (intervals and spacing machine-regular, a hint), no grid cell (the grid code is not in the active grid, a hint), wrong clock (fix times in the future or before 2000), outside the county (most fixes outside the county the store covers — its grid, else its coded parcels — whatever the grid code says) and before the plan (started before the first patrol task period of its grid). Speeds, jumps and lengths are measured on the ellipsoid from the fixes' longitude and latitude, whatever the store's coordinate system.&lt;/p&gt;&lt;p&gt;A track is accepted when it has none of the blocking flags: driven, too short, outside the grid, teleport, replay, wrong clock, outside the county and before the plan. Every track is checked against every track that started before it. Flags, the figures they were decided on and the result are written back to the store; checking again gives the same result.&lt;/p&gt;&lt;p&gt;Without dates, the tracks not checked yet are checked; with dates (Beijing dates, both inclusive), every track started in that range is checked again. The thresholds are advanced parameters; the guide's section on tracks explains their defaults (help button).&lt;/p&gt;</source>
            <translation>&lt;p&gt;轨迹真实性检查 · 检查田管库中的巡田轨迹：是否为田管员在本社网格内的真实步行巡田。标记：开车路过（移动速度中位数或第 85 百分位数高于步行，或长时间以行车速度移动）、时长或里程不足、不在本社网格内（轨迹落在现行巡田网格本社单元内（含容差）的比例过低）、轨迹跳点（相邻两点距离对其时间间隔而言过远）、重复上传旧轨迹（与任一田管员更早的轨迹路径与节奏相同）、采样过于规整（时间间隔与点距机械般一致，仅提示）、网格中无此社（网格编码不在现行网格中，仅提示）、时间异常（定位时间在将来或早于 2000 年）、不在本县范围内（多数定位点在田管库所覆盖的本县范围之外——本县范围取自网格，没有网格时取赋码地块——不论网格编码如何）以及早于巡田计划开始（开始时间早于本社最早的巡田任务时段）。速度、跳点与长度一律按定位点经纬度在椭球面上计算，与田管库坐标系无关。&lt;/p&gt;&lt;p&gt;没有任何阻断标记的轨迹为有效：开车路过、时长或里程不足、不在本社网格内、轨迹跳点、重复上传旧轨迹、时间异常、不在本县范围内、早于巡田计划开始。每条轨迹与所有开始更早的轨迹比对。标记、判定依据数值和结果写回田管库；重复检查结果相同。&lt;/p&gt;&lt;p&gt;不填日期时检查尚未检查的轨迹；填日期（北京时间日期，含首尾）时重新检查该范围内开始的全部轨迹。阈值为高级参数，默认值的说明见本插件使用指南中轨迹一节（对话框的“帮助”按钮）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Shortest patrol (minutes)</source>
            <translation>最短巡田时长（分钟）</translation>
        </message>
        <message>
            <source>Shortest patrol length (m)</source>
            <translation>最短巡田里程（米）</translation>
        </message>
        <message>
            <source>Highest median walking speed (m/s)</source>
            <translation>步行速度中位数上限（米/秒）</translation>
        </message>
        <message>
            <source>Highest 85th-percentile walking speed (m/s)</source>
            <translation>步行速度第 85 百分位数上限（米/秒）</translation>
        </message>
        <message>
            <source>Driving speed (m/s)</source>
            <translation>车速（米/秒）</translation>
        </message>
        <message>
            <source>Longest stretch at driving speed (s)</source>
            <translation>以车速连续行驶的最长时间（秒）</translation>
        </message>
        <message>
            <source>Tolerance around the group cell (m)</source>
            <translation>社网格外扩容差（米）</translation>
        </message>
        <message>
            <source>Least share of the track inside the group cell (%)</source>
            <translation>轨迹在本社网格内的最低比例（%）</translation>
        </message>
        <message>
            <source>Jump speed between two fixes (m/s)</source>
            <translation>跳点速度（相邻两点间，米/秒）</translation>
        </message>
        <message>
            <source>Replay: largest mean distance to the earlier track (m)</source>
            <translation>重复上传：与旧轨迹的最大平均距离（米）</translation>
        </message>
        <message>
            <source>Replay: least length ratio (shorter / longer)</source>
            <translation>重复上传：最低长度比（短 / 长）</translation>
        </message>
        <message>
            <source>Regular sampling: largest variation of the intervals</source>
            <translation>采样规整：时间间隔变异系数上限</translation>
        </message>
        <message>
            <source>First day (YYYY-MM-DD, Beijing; empty: the tracks not checked yet)</source>
            <translation>开始日期（YYYY-MM-DD，北京时间；空：尚未检查的轨迹）</translation>
        </message>
        <message>
            <source>Last day (YYYY-MM-DD, Beijing; empty: no end)</source>
            <translation>结束日期（YYYY-MM-DD，北京时间；空：不限）</translation>
        </message>
        <message>
            <source>Reading the tracks…</source>
            <translation>正在读取轨迹…</translation>
        </message>
        <message>
            <source>Writing the results to the store…</source>
            <translation>正在将结果写入田管库…</translation>
        </message>
        <message>
            <source>Checked patrol tracks</source>
            <translation>已检查的巡田轨迹</translation>
        </message>
        <message>
            <source>Tracks checked</source>
            <translation>已检查轨迹数</translation>
        </message>
        <message>
            <source>Tracks accepted</source>
            <translation>有效轨迹数</translation>
        </message>
        <message>
            <source>Tracks not accepted</source>
            <translation>无效轨迹数</translation>
        </message>
        <message>
            <source>No patrol track to check.</source>
            <translation>没有需要检查的巡田轨迹。</translation>
        </message>
        <message>
            <source>The store has no patrol grid yet: every track is flagged “no grid cell”.</source>
            <translation>田管库中还没有巡田网格：所有轨迹都将标记为“网格中无此社”。</translation>
        </message>
        <message>
            <source>The store has neither a patrol grid nor coded parcels: the tracks cannot be checked against the county's extent.</source>
            <translation>田管库中既没有巡田网格也没有赋码地块：无法检查轨迹是否在本县范围内。</translation>
        </message>
        <message>
            <source>Give the tianguan store.</source>
            <translation>请指定田管库。</translation>
        </message>
        <message>
            <source>Checking {n} tracks against their grid cells and every earlier track…</source>
            <translation>正在检查 {n} 条轨迹（对照所在网格与所有更早的轨迹）…</translation>
        </message>
        <message>
            <source>{checked} tracks checked: {accepted} accepted, {rejected} not accepted.</source>
            <translation>已检查 {checked} 条轨迹：有效 {accepted} 条，无效 {rejected} 条。</translation>
        </message>
        <message>
            <source>{n} tracks have no fix time for every vertex; their times were spread evenly between start and end: {ids}</source>
            <translation>{n} 条轨迹并非每个节点都有定位时间，已在开始与结束时间之间均匀分配：{ids}</translation>
        </message>
        <message>
            <source>Prefecture (州)</source>
            <translation>州级</translation>
        </message>
        <message>
            <source>County (县)</source>
            <translation>县级</translation>
        </message>
        <message>
            <source>Township (乡)</source>
            <translation>乡级</translation>
        </message>
        <message>
            <source>Village (村)</source>
            <translation>村级</translation>
        </message>
        <message>
            <source>Group (社)</source>
            <translation>社级</translation>
        </message>
        <message>
            <source>First day (YYYY-MM-DD; empty: the first day of this month)</source>
            <translation>起始日期（YYYY-MM-DD；留空为本月第一天）</translation>
        </message>
        <message>
            <source>Last day (YYYY-MM-DD; empty: the last day of the start's month)</source>
            <translation>截止日期（YYYY-MM-DD；留空为起始日期所在月的最后一天）</translation>
        </message>
        <message>
            <source>Only grids under this county, township or village code</source>
            <translation>仅限该县、乡镇或村代码下的网格</translation>
        </message>
        <message>
            <source>Overdue patrol tasks by township:</source>
            <translation>各乡镇已过期巡田任务：</translation>
        </message>
        <message>
            <source>Dispatch patrol tasks</source>
            <translation>下发巡田任务</translation>
        </message>
        <message>
            <source>&lt;p&gt;下发巡田任务 — Creates the patrol tasks of a date range in the tianguan store: one task per grid and calendar period of its level's frequency — 社 (group) weekly (Monday to Sunday), 村 (village) monthly, 乡 (township) quarterly, 县 (county) and 州 (prefecture) every half year — due at 23:59:59 Beijing time on the period's last day.&lt;/p&gt;&lt;p&gt;The grids are the active patrol grid's cells (else the grids of the active officer roster), and each task names the grid's officer from the active roster. Dispatching the same range again creates nothing new.&lt;/p&gt;&lt;p&gt;The output table lists the range's tasks with their status: 已完成 (done: a valid patrol started within the period), 未完成 (open: not done yet, not yet due) or 已过期 (overdue).&lt;/p&gt;</source>
            <translation>&lt;p&gt;下发巡田任务 — 在田管库中为一段日期内的每个网格、按其级别的巡田频次逐个自然周期生成巡田任务：社级每周（周一至周日）、村级每月、乡级每季度、县级和州级每半年；截止时间为周期最后一天北京时间 23:59:59。&lt;/p&gt;&lt;p&gt;网格取自当前巡田网格（没有时取当前田管员花名册中的网格），任务上注明当前花名册中该网格的田管员。对同一日期范围重复下发不会产生新任务。&lt;/p&gt;&lt;p&gt;输出表列出该期间的任务及其状态：已完成（周期内开始过一次有效巡田）、未完成（尚未完成，未到截止时间）或已过期。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>No overdue patrol tasks.</source>
            <translation>没有已过期的巡田任务。</translation>
        </message>
        <message>
            <source>Patrol frequencies per grid level (JSON; empty: the plan's)</source>
            <translation>各级网格的巡田频次（JSON；留空为方案默认）</translation>
        </message>
        <message>
            <source>Grid levels</source>
            <translation>网格级别</translation>
        </message>
        <message>
            <source>Patrol tasks</source>
            <translation>巡田任务</translation>
        </message>
        <message>
            <source>Tasks created</source>
            <translation>新建任务数</translation>
        </message>
        <message>
            <source>Tasks already dispatched</source>
            <translation>已下发任务数</translation>
        </message>
        <message>
            <source>Tasks done</source>
            <translation>已完成任务数</translation>
        </message>
        <message>
            <source>Tasks open</source>
            <translation>未完成任务数</translation>
        </message>
        <message>
            <source>Dispatch run</source>
            <translation>下发批次</translation>
        </message>
        <message>
            <source>Cancelled after the tasks were dispatched; the table was not written.</source>
            <translation>任务已下发后被取消，未输出任务表。</translation>
        </message>
        <message>
            <source>{township} {name}: {count} overdue tasks, grids {grids}</source>
            <translation>{township} {name}：已过期任务 {count} 个，网格 {grids}</translation>
        </message>
        <message>
            <source>… and {count} more townships.</source>
            <translation>……另有 {count} 个乡镇。</translation>
        </message>
        <message>
            <source>Dispatch was cancelled; nothing was written to the store.</source>
            <translation>下发已取消，田管库未作任何改动。</translation>
        </message>
        <message>
            <source>Done {done}, open {open}, overdue {overdue}.</source>
            <translation>已完成 {done}，未完成 {open}，已过期 {overdue}。</translation>
        </message>
        <message>
            <source>The patrol frequencies {text} cannot be used ({error}): give JSON such as {example}, or leave it empty for the plan's.</source>
            <translation>巡田频次 {text} 无法使用（{error}）：请填写如 {example} 的 JSON，或留空使用方案默认频次。</translation>
        </message>
        <message>
            <source>The tianguan store has no active patrol grid and no active officer roster. Build the patrol grid or import an officer roster first.</source>
            <translation>田管库中没有当前巡田网格，也没有当前田管员花名册。请先构建巡田网格或导入田管员花名册。</translation>
        </message>
        <message>
            <source>Tasks from {start} to {end} for {grids} grids; frequencies: {rules}</source>
            <translation>任务期间 {start} 至 {end}，网格 {grids} 个；巡田频次：{rules}</translation>
        </message>
        <message>
            <source>{created} tasks created, {existing} already dispatched.</source>
            <translation>新建任务 {created} 个，已下发过 {existing} 个。</translation>
        </message>
        <message>
            <source>No grid of the chosen levels under “{prefix}”: no task to dispatch.</source>
            <translation>“{prefix}”下没有所选级别的网格，无任务可下发。</translation>
        </message>
        <message>
            <source>{count} grids have no officer in the active roster (tasks are dispatched without a name), e.g. {codes}</source>
            <translation>{count} 个网格在当前花名册中没有田管员（任务下发时不带姓名），例如 {codes}</translation>
        </message>
        <message>
            <source>(all)</source>
            <translation>（全部）</translation>
        </message>
        <message>
            <source>Export officer roster</source>
            <translation>导出田管员花名册</translation>
        </message>
        <message>
            <source>&lt;p&gt;Writes the current officer roster (田管员花名册) of the tianguan store to an Excel workbook (.xlsx) or a CSV file (UTF-8 with BOM), with the same columns as the import: 层级, 网格编码, 网格名称, 姓名, 角色, 职务, 电话, 是否空缺. The file can be corrected and imported again.&lt;/p&gt;&lt;p&gt;With a county or township code, only the grids within it are written. The counts of officers, assistants and vacant posts per level are reported and given as the COUNTS output (JSON). Prefer .xlsx when the roster is edited in Excel: Excel turns long codes in a CSV into numbers.&lt;/p&gt;</source>
            <translation>&lt;p&gt;将田管库的当前田管员花名册写入 Excel 工作簿（.xlsx）或 CSV 文件（带 BOM 的 UTF-8），列与导入时相同：层级、网格编码、网格名称、姓名、角色、职务、电话、是否空缺。导出的文件修改后可再次导入。&lt;/p&gt;&lt;p&gt;给定县或乡镇代码时，只导出其范围内的网格。按层级统计的田管员、助理田管员和空缺岗位数会在日志中列出，并作为 COUNTS 输出（JSON）。如需在 Excel 中编辑，建议导出 .xlsx：Excel 会把 CSV 中的长编码变成数字。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>County or township code (empty: all)</source>
            <translation>县或乡镇代码（留空：全部）</translation>
        </message>
        <message>
            <source>Roster file</source>
            <translation>花名册文件</translation>
        </message>
        <message>
            <source>Officers exported</source>
            <translation>导出的田管员数</translation>
        </message>
        <message>
            <source>Counts per level (JSON)</source>
            <translation>按层级统计（JSON）</translation>
        </message>
        <message>
            <source>The roster file cannot be the tianguan store itself.</source>
            <translation>花名册文件不能是田管库本身。</translation>
        </message>
        <message>
            <source>The tianguan store has no roster yet; import one first.</source>
            <translation>田管库尚无花名册，请先导入。</translation>
        </message>
        <message>
            <source>Excel workbook (*.xlsx);;CSV UTF-8 (*.csv)</source>
            <translation>Excel 工作簿 (*.xlsx);;CSV UTF-8 (*.csv)</translation>
        </message>
        <message>
            <source>{n} rows of roster {id} written to {path}.</source>
            <translation>已将花名册 {id} 的 {n} 行写入 {path}。</translation>
        </message>
        <message>
            <source>The roster file must end in .xlsx or .csv, not “{suffix}”.</source>
            <translation>花名册文件的扩展名须为 .xlsx 或 .csv，而不是“{suffix}”。</translation>
        </message>
        <message>
            <source>The tianguan store {path} does not exist.</source>
            <translation>田管库 {path} 不存在。</translation>
        </message>
        <message>
            <source>Roster {id} has no grid within {prefix}; the file has the header only.</source>
            <translation>花名册 {id} 在 {prefix} 范围内没有网格；文件只有表头。</translation>
        </message>
        <message>
            <source>{level}: {grids} grids, {officers} officers, {assistants} assistants, {vacancies} vacant posts</source>
            <translation>{level}级：{grids} 个网格，田管员 {officers} 名，助理田管员 {assistants} 名，空缺 {vacancies} 个</translation>
        </message>
        <message>
            <source>All tasks</source>
            <translation>全部任务</translation>
        </message>
        <message>
            <source>Only overdue tasks</source>
            <translation>仅导出已过期任务</translation>
        </message>
        <message>
            <source>预警: overdue tasks and tasks due soon</source>
            <translation>预警：已过期与即将到期的任务</translation>
        </message>
        <message>
            <source>Export patrol tasks</source>
            <translation>导出巡田任务</translation>
        </message>
        <message>
            <source>&lt;p&gt;导出巡田任务 — Writes the patrol tasks of a date range (all, only the overdue ones, or 预警: the overdue ones and those due soon) with their status 已完成 / 未完成 / 即将到期 / 已过期 to an Excel workbook (.xlsx) or a CSV file (UTF-8 with BOM), with Chinese column headers, for reminders to townships and the periodic 通报. The workbook has a second sheet with the overdue tasks per township; the log lists them too.&lt;/p&gt;&lt;p&gt;即将到期 (due soon): not done yet and falling due within the given number of days (Beijing calendar days: 0 is today, 1 today or tomorrow). The optional warning list names each officer with overdue or due-soon tasks: phone, grids, both counts and the earliest due time, most overdue first.&lt;/p&gt;&lt;p&gt;Restrict to a county, township or village by its code. Dates are Beijing dates; the status is computed now (or at the time given in the advanced parameters).&lt;/p&gt;</source>
            <translation>&lt;p&gt;导出巡田任务 — 将日期范围内的巡田任务（全部、仅已过期，或预警：已过期与即将到期的任务）连同状态（已完成 / 未完成 / 即将到期 / 已过期）导出为 Excel 工作簿（.xlsx）或 CSV 文件（带 BOM 的 UTF-8），列名为中文，用于提醒乡镇和定期通报。工作簿第二张表按乡镇汇总已过期任务，日志中也会列出。&lt;/p&gt;&lt;p&gt;即将到期：尚未完成、且在给定天数内到期（按北京时间的日历日计：0 表示今天到期，1 表示今天或明天到期）。可选的预警名单按田管员列出有已过期或即将到期任务的人员：电话、网格、两类任务数和最早截止时间，已过期多者在前。&lt;/p&gt;&lt;p&gt;可按县、乡镇或村的编码限定范围。日期为北京时间的日期；状态按当前时间计算（或按高级参数中给定的时间）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>No overdue task and none due within {days} days.</source>
            <translation>没有已过期任务，{days} 天内也没有到期的任务。</translation>
        </message>
        <message>
            <source>Which tasks</source>
            <translation>导出哪些任务</translation>
        </message>
        <message>
            <source>Due soon: falling due within this many days (Beijing calendar days; 0: today)</source>
            <translation>即将到期：在此天数内到期（北京时间日历日；0 表示今天）</translation>
        </message>
        <message>
            <source>Task list</source>
            <translation>任务清单</translation>
        </message>
        <message>
            <source>Warning list per officer (预警)</source>
            <translation>按田管员的预警名单</translation>
        </message>
        <message>
            <source>Tasks written</source>
            <translation>导出任务数</translation>
        </message>
        <message>
            <source>Officers warned</source>
            <translation>预警田管员数</translation>
        </message>
        <message>
            <source>{rows} tasks written to {path} ({overdue} overdue).</source>
            <translation>已将 {rows} 个任务写入 {path}（已过期 {overdue} 个）。</translation>
        </message>
        <message>
            <source>{soon} open tasks fall due within {days} days; {officers} officers have overdue or due-soon tasks.</source>
            <translation>{soon} 项未完成任务将在 {days} 天内到期；{officers} 名田管员有已过期或即将到期的任务。</translation>
        </message>
        <message>
            <source>The number of days for “due soon” must be 0 or more, not {days}.</source>
            <translation>“即将到期”的天数须为 0 或以上，不能为 {days}。</translation>
        </message>
        <message>
            <source>Export to a .xlsx or .csv file, not “{path}”.</source>
            <translation>请导出为 .xlsx 或 .csv 文件，而不是“{path}”。</translation>
        </message>
        <message>
            <source>No patrol task from {start} to {end}: dispatch tasks first.</source>
            <translation>{start} 至 {end} 没有巡田任务，请先下发任务。</translation>
        </message>
        <message>
            <source>Warning list of {officers} officers written to {path}.</source>
            <translation>已将 {officers} 名田管员的预警名单写入 {path}。</translation>
        </message>
        <message>
            <source>Export field package</source>
            <translation>导出外业巡田包</translation>
        </message>
        <message>
            <source>&lt;p&gt;导出外业巡田包 · Writes, for each group (14-digit) or village (12-digit) grid code given (several separated by commas), a folder named by the code that QField opens as it is: tianguan_field.qgs, tianguan_field.gpkg and manifest.json.&lt;/p&gt;&lt;p&gt;The GeoPackage holds the grid's coded parcels (read-only, labelled by sequence number, with land class, farmland area in mu and the permanent basic farmland flag), its patrol tasks not yet done, its issued cases that are not closed (read-only, with state and version), an empty track layer that QField fills by automatic position tracking (times as M values; officer, start time and grid filled in) and an evidence layer of points (case chosen from the list, photo taken into DCIM, note, time, position and officer filled in), and two field report layers — points and sketched polygons, one form: category, up to three photos, note — for problems found on patrol.&lt;/p&gt;&lt;p&gt;The manifest records the store, the grid, the export time and every case's version: “Import field results” refuses evidence for a case that moved on since. A package folder of the same name that is already there is kept under a new name, never overwritten.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导出外业巡田包 · 按给定的每个社（14 位）或村（12 位）网格编码（多个用逗号分隔）各写出一个以编码命名、QField 可直接打开的文件夹：tianguan_field.qgs、tianguan_field.gpkg 和 manifest.json。&lt;/p&gt;&lt;p&gt;GeoPackage 中包括：该网格的已赋码地块（只读，按顺序号标注，含地类、耕地面积（亩）与永久基本农田标志）、尚未完成的巡田任务、已下发且未结案的案件（只读，含状态与版本号）、由 QField 自动位置跟踪填写的空轨迹图层（时间记为 M 值，田管员、开始时间与网格自动填写），举证点图层（从列表选择案件，照片拍入 DCIM，备注、时间、位置与田管员自动填写），以及两个巡田上报图层——点和勾画的范围，同一个表单：类型、最多三张照片、说明——用于上报巡田中发现的问题。&lt;/p&gt;&lt;p&gt;清单记录田管库、网格、导出时间和每个案件的版本号：“导入外业成果”对导出后已流转的案件拒绝导入举证。同名的已有外业包文件夹改名保留，绝不覆盖。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Group or village grid codes (comma-separated)</source>
            <translation>社或村网格编码（逗号分隔）</translation>
        </message>
        <message>
            <source>Folder for the field packages</source>
            <translation>外业巡田包输出文件夹</translation>
        </message>
        <message>
            <source>Folder of the field packages</source>
            <translation>外业巡田包文件夹</translation>
        </message>
        <message>
            <source>Field packages written</source>
            <translation>写出的外业巡田包</translation>
        </message>
        <message>
            <source>Open tasks</source>
            <translation>未完成任务</translation>
        </message>
        <message>
            <source>Field reports</source>
            <translation>巡田上报</translation>
        </message>
        <message>
            <source>Field report areas</source>
            <translation>巡田上报范围</translation>
        </message>
        <message>
            <source>Evidence</source>
            <translation>举证材料</translation>
        </message>
        <message>
            <source>Patrol tracks</source>
            <translation>巡田轨迹</translation>
        </message>
        <message>
            <source>Field cases</source>
            <translation>外业案件</translation>
        </message>
        <message>
            <source>Open patrol tasks</source>
            <translation>未完成巡田任务</translation>
        </message>
        <message>
            <source>Report category</source>
            <translation>上报类别</translation>
        </message>
        <message>
            <source>Field package {grid}</source>
            <translation>外业巡田包 {grid}</translation>
        </message>
        <message>
            <source>The grid codes cannot be used: {error}</source>
            <translation>网格编码不可用：{error}</translation>
        </message>
        <message>
            <source>{grid}: {parcels} parcels, {tasks} open tasks, {cases} cases → {folder}</source>
            <translation>{grid}：地块 {parcels} 块，未完成任务 {tasks} 项，案件 {cases} 件 → {folder}</translation>
        </message>
        <message>
            <source>{grid}: a package folder of that name was there; it is kept as {kept} (import its field results if it has any).</source>
            <translation>{grid}：已有同名外业包文件夹，已改名保留为 {kept}（其中如有外业成果，请导入）。</translation>
        </message>
        <message>
            <source>{grid}: no such cell in the active patrol grid; no package written.</source>
            <translation>{grid}：当前巡田网格中没有该网格，未写出外业包。</translation>
        </message>
        <message>
            <source>Import field results</source>
            <translation>导入外业成果</translation>
        </message>
        <message>
            <source>&lt;p&gt;导入外业成果 · Reads a field package returned from QField (the folder written by “Export field package”) back into the tianguan store it came from.&lt;/p&gt;&lt;p&gt;Tracks: every line of the track layer is imported like an imported track file (cleaning, sessions, fixes kept; a line imported before adds nothing, fixes already imported from an earlier return are not counted twice); run “Check patrol track authenticity” and “Patrol coverage analysis” afterwards as after any track import.&lt;/p&gt;&lt;p&gt;Evidence: the photos of each case are added as its evidence (copied beside the store) and the case moves to evidenced (已举证) with the notes as comment — only when the case is still as it was exported (same version) and waiting for evidence. Rows of cases that moved on, are closed or unknown, and rows whose photo is missing or refused, are listed as conflicts (table and log) and nothing is overwritten. Importing the same package again adds nothing.&lt;/p&gt;&lt;p&gt;Field reports (巡田上报): every report — a point or a sketched polygon — becomes a new case waiting to be issued (待下发): a point is placed on the coded parcel under it or the nearest within 30 m, a sketch is its own polygon (a self-intersecting one repaired, one without area listed as a conflict) with the coded parcels it overlaps; its photos (up to three) become the case's evidence in order. Without reference layers it needs field verification (需外业核实); with the optional reference layers (advanced parameters: permanent basic farmland, approvals, facility filings, temporary land, development boundary, as in change detection) it is pre-judged like a change polygon, and stays one case waiting to be issued and checked in the field. Importing the package again adds nothing.&lt;/p&gt;&lt;p&gt;Refused photos: symbolic links, hard links, paths leaving the package, empty files and files that are not JPEG, PNG or PDF by their content. A zipped package (the folder holding one .zip) is extracted into a temporary folder, removed afterwards; zip members with absolute or “..” paths, link members, repeated names and oversized members are not extracted, and a zip bomb is refused whole. Photo times and positions are read with QGIS's EXIF reader (exiv2), the plugin's own reader standing in for what it cannot read.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导入外业成果 · 将 QField 交回的外业巡田包（“导出外业巡田包”写出的文件夹）读回其来源田管库。&lt;/p&gt;&lt;p&gt;轨迹：轨迹图层的每条线按导入轨迹文件的方式导入（清洗、分段、保留定位点；已导入过的线不再重复，之前交回时已导入的定位点不重复计算）；导入后与其他轨迹导入一样运行“轨迹真实性检查”和“巡田覆盖分析”。&lt;/p&gt;&lt;p&gt;举证：每个案件的照片作为其举证材料加入（复制到田管库旁），案件以备注为意见流转为已举证——仅当案件仍与导出时相同（版本号一致）且等待举证时。已流转、已结案或未知案件的记录，以及照片缺失或被拒收的记录，作为冲突列出（表格与日志），不覆盖任何内容。同一外业包再次导入不会新增任何内容。&lt;/p&gt;&lt;p&gt;巡田上报：每条上报——一个点或勾画的范围——成为一件新的待下发案件：点落在其下方的赋码地块上（或 30 米内最近的地块），勾画的范围即案件范围（自相交的自动修复，没有面积的列为冲突），并带有其压占的赋码地块；上报照片（最多三张）依次成为案件的举证材料。不提供参考图层时需外业核实；选择可选的参考图层（高级参数：永久基本农田、批准用地、设施农业用地备案、临时用地、城镇开发边界，与变化图斑提取相同）时，像变化图斑一样预判，仍是一件待下发、须外业核实的案件。同一外业包再次导入不会新增任何内容。&lt;/p&gt;&lt;p&gt;拒收的照片：符号链接、硬链接、指向外业包以外的路径、空文件，以及按内容判断不是 JPEG、PNG 或 PDF 的文件。压缩的外业包（文件夹中只有一个 .zip）解压到临时文件夹，用后删除；路径为绝对路径或含“..”的成员、链接成员、重名成员和超大成员不解压，压缩炸弹整包拒收。照片的时间和位置用 QGIS 的 EXIF 读取器（exiv2）读取，读不出的部分由插件自带的读取器补充。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Reading the evidence…</source>
            <translation>正在读取举证…</translation>
        </message>
        <message>
            <source>Reading the field reports…</source>
            <translation>正在读取巡田上报…</translation>
        </message>
        <message>
            <source>{folder} is not a field package (no {manifest} or {gpkg}).</source>
            <translation>{folder} 不是外业巡田包（缺少 {manifest} 或 {gpkg}）。</translation>
        </message>
        <message>
            <source>Extracting the zipped field package {name} into a temporary folder…</source>
            <translation>正在将外业包压缩文件 {name} 解压到临时文件夹…</translation>
        </message>
        <message>
            <source>Returned field package folder</source>
            <translation>交回的外业巡田包文件夹</translation>
        </message>
        <message>
            <source>Tracks imported</source>
            <translation>导入的轨迹</translation>
        </message>
        <message>
            <source>Cases moved to evidenced</source>
            <translation>流转为已举证的案件</translation>
        </message>
        <message>
            <source>Field reports read</source>
            <translation>读取的巡田上报</translation>
        </message>
        <message>
            <source>New cases from field reports</source>
            <translation>巡田上报新建案件</translation>
        </message>
        <message>
            <source>{reports} field reports: {new} new cases waiting to be issued (待下发).</source>
            <translation>巡田上报 {reports} 条：新建待下发案件 {new} 个。</translation>
        </message>
        <message>
            <source>{folder} is neither a field package folder nor a zipped field package.</source>
            <translation>{folder} 既不是外业包文件夹，也不是外业包压缩文件。</translation>
        </message>
        <message>
            <source>{folder} holds several zipped field packages ({names}); put the one to import in a folder of its own.</source>
            <translation>{folder} 中有多个外业包压缩文件（{names}），请把要导入的那一个单独放在一个文件夹中。</translation>
        </message>
        <message>
            <source>The field package was found in the subfolder {folder}.</source>
            <translation>已在子文件夹 {folder} 中找到外业包。</translation>
        </message>
        <message>
            <source>{folder} holds several field packages ({names}); choose one of them.</source>
            <translation>{folder} 中有多个外业包（{names}），请选择其中一个。</translation>
        </message>
        <message>
            <source>{tracks} tracks, {evidence} evidence files, {events} cases moved to evidenced, {conflicts} conflicts.</source>
            <translation>轨迹 {tracks} 条，举证材料 {evidence} 个，流转为已举证的案件 {events} 件，冲突 {conflicts} 条。</translation>
        </message>
        <message>
            <source>Track {fid}: {fixes} fixes, {tracks} tracks.</source>
            <translation>轨迹 {fid}：定位点 {fixes} 个，轨迹 {tracks} 条。</translation>
        </message>
        <message>
            <source>{n} evidence rows were imported before; skipped.</source>
            <translation>{n} 条举证记录此前已导入，已跳过。</translation>
        </message>
        <message>
            <source>Case {case}: {photos} photos, now {state}.</source>
            <translation>案件 {case}：照片 {photos} 张，现为{state}。</translation>
        </message>
        <message>
            <source>The zipped field package {name} was refused: {reason}</source>
            <translation>外业包压缩文件 {name} 被拒收：{reason}</translation>
        </message>
        <message>
            <source>{folder} is an enforcement package (执法整改包): import it with “Import rectification results”.</source>
            <translation>{folder} 是执法整改包：请用“导入整改成果”导入。</translation>
        </message>
        <message>
            <source>The manifest of {folder} cannot be read: {error}</source>
            <translation>无法读取 {folder} 的清单：{error}</translation>
        </message>
        <message>
            <source>The track layer of {path} cannot be read: {error}</source>
            <translation>无法读取 {path} 的轨迹图层：{error}</translation>
        </message>
        <message>
            <source>Track {fid}: imported before; skipped.</source>
            <translation>轨迹 {fid}：此前已导入，已跳过。</translation>
        </message>
        <message>
            <source>Field report {fid} ({layer}): the sketched polygon crossed itself; it was repaired into the areas it encloses.</source>
            <translation>巡田上报 {fid}（{layer}）：勾画的范围自相交，已修复为其围成的范围。</translation>
        </message>
        <message>
            <source>Zip member refused: {reason}</source>
            <translation>压缩包成员被拒收：{reason}</translation>
        </message>
        <message>
            <source>level “{value}” is not one of 州, 县, 乡, 村, 社 (or 1–5). Correct the 层级 column.</source>
            <translation>层级“{value}”不是州、县、乡、村、社（或 1–5）之一。请更正“层级”列。</translation>
        </message>
        <message>
            <source>role “{value}” is neither 田管员 nor 助理田管员. Correct the 角色 column.</source>
            <translation>角色“{value}”既不是田管员也不是助理田管员。请更正“角色”列。</translation>
        </message>
        <message>
            <source>“{value}” in the 是否空缺 column is neither 是 nor 否. Write 是 for a vacant post, 否 or nothing otherwise.</source>
            <translation>“是否空缺”列的“{value}”既不是“是”也不是“否”。空缺岗位填“是”，否则填“否”或留空。</translation>
        </message>
        <message>
            <source>the code does not fit a {level_name} grid, whose code has {digits} digits. Correct the 网格编码 or the 层级 column.</source>
            <translation>编码与{level_name}级网格不符，{level_name}级网格编码应为 {digits} 位。请更正“网格编码”或“层级”列。</translation>
        </message>
        <message>
            <source>its {parent_level_name} grid {parent} has no row in the roster. Check the code, or add the officers of {parent}.</source>
            <translation>其上级{parent_level_name}级网格 {parent} 在花名册中没有记录。请核对编码，或补充 {parent} 的田管员。</translation>
        </message>
        <message>
            <source>this {level_name} grid is not in the patrol grid. Check the code, or build the patrol grid again if the grid has changed.</source>
            <translation>该{level_name}级网格不在巡田网格中。请核对编码；如网格已调整，请重新构建巡田网格。</translation>
        </message>
        <message>
            <source>this {level_name} grid has no cell in the patrol grid, although its {parent_level_name} grid {parent} has one: it has no coded farmland, or the code is mistyped. Check the code; no patrol tasks are dispatched to a grid without a cell.</source>
            <translation>巡田网格中没有该{level_name}级网格，但有其上级{parent_level_name}级网格 {parent}：该网格没有已赋码的耕地，或编码有误。请核对编码；没有网格范围的网格不会下发巡田任务。</translation>
        </message>
        <message>
            <source>the patrol grid has this code as a {grid_level_name} grid, not {level_name}. Correct the 层级 column.</source>
            <translation>巡田网格中该编码是{grid_level_name}级网格，而不是{level_name}级。请更正“层级”列。</translation>
        </message>
        <message>
            <source>the grid already has a 田管员 in row {other_row}. Keep one 田管员 per grid; make the others 助理田管员 or remove them.</source>
            <translation>该网格在第 {other_row} 行已有田管员。每个网格只设一名田管员，其他人请改为助理田管员或删除。</translation>
        </message>
        <message>
            <source>the post is not vacant but has no name. Fill in 姓名, or write 是 in 是否空缺.</source>
            <translation>岗位未空缺但没有姓名。请填写“姓名”，或在“是否空缺”中填“是”。</translation>
        </message>
        <message>
            <source>the post is not vacant but has no phone number. Fill in 电话, or write 是 in 是否空缺.</source>
            <translation>岗位未空缺但没有电话。请填写“电话”，或在“是否空缺”中填“是”。</translation>
        </message>
        <message>
            <source>phone “{phone}” is neither a mobile number (11 digits, 13…–19…) nor a landline such as 0930-1234567. Correct the 电话 column.</source>
            <translation>电话“{phone}”既不是手机号（11 位，13…–19… 开头），也不是 0930-1234567 这样的固定电话。请更正“电话”列。</translation>
        </message>
        <message>
            <source>{name} ({phone}) is already 田管员 of group {other_code} (row {other_row}); a person can be 田管员 of one group only. Correct one of the two rows.</source>
            <translation>{name}（{phone}）已是第 {other_row} 行 {other_code} 社的田管员；一人只能担任一个社的田管员。请更正其中一行。</translation>
        </message>
        <message>
            <source>the {level_name} grid has no 田管员 in the roster. Add its 田管员, or a row marked vacant.</source>
            <translation>该{level_name}级网格在花名册中没有田管员。请补充田管员，或添加一行标明空缺。</translation>
        </message>
        <message>
            <source>the {role_name} post is vacant. Fill it as soon as possible and import the roster again.</source>
            <translation>{role_name}岗位空缺。请尽快补齐后重新导入花名册。</translation>
        </message>
        <message>
            <source>the {level_name} grid has no 助理田管员 (the plan requires one at 州, 县 and 乡 level). Add the deputy in charge.</source>
            <translation>该{level_name}级网格没有助理田管员（方案要求州、县、乡三级设助理田管员）。请补充分管负责同志。</translation>
        </message>
        <message>
            <source>Import officer roster</source>
            <translation>导入田管员花名册</translation>
        </message>
        <message>
            <source>&lt;p&gt;Reads the officer roster (田管员花名册) from an Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK), checks it, and makes it the current roster of the tianguan store. Columns: 层级 (州, 县, 乡, 村, 社), 网格编码, 网格名称, 姓名, 角色 (田管员 or 助理田管员), 职务, 电话, 是否空缺 (是/否); English headers (level, grid_code, grid_name, name, role, post, phone, vacant) are read too.&lt;/p&gt;&lt;p&gt;Errors stop the import and the previous roster stays current: unreadable levels or roles, grid codes that do not fit their level or are not in the patrol grid, two 田管员 in one grid, a person who is 田管员 of two groups, posts without a name or with a malformed phone number. Warnings do not stop it: vacant posts, grids without a 田管员, 州, 县 or 乡 grids without a 助理田管员, and grids that the patrol grid lacks although it has their parent (a 社 without coded farmland).&lt;/p&gt;&lt;p&gt;Grid codes are checked against the patrol grid layer if given, else against the store's current patrol grid, else only their format and parents. Every problem is listed with its row in the issues table. Earlier rosters are kept in the store.&lt;/p&gt;</source>
            <translation>&lt;p&gt;从 Excel 工作簿（.xlsx）或 CSV 文件（UTF-8 或 GBK）读取田管员花名册，检查后设为田管库的当前花名册。列：层级（州、县、乡、村、社）、网格编码、网格名称、姓名、角色（田管员或助理田管员）、职务、电话、是否空缺（是/否）；也可使用英文表头（level、grid_code、grid_name、name、role、post、phone、vacant）。&lt;/p&gt;&lt;p&gt;有错误时不导入，原花名册继续有效：层级或角色无法识别、网格编码与层级不符或不在巡田网格中、一个网格有两名田管员、一人担任两个社的田管员、岗位缺姓名或电话格式错误。警告不影响导入：岗位空缺、网格没有田管员、州县乡级网格没有助理田管员、巡田网格中没有该网格但有其上级（没有已赋码耕地的社）。&lt;/p&gt;&lt;p&gt;网格编码按给定的巡田网格图层核对；未给定时按田管库的当前巡田网格核对；都没有时只检查编码格式及其上级。每个问题连同行号列入问题表。历次导入的花名册均保留在田管库中。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Sheet (empty: the first)</source>
            <translation>工作表（留空：第一个）</translation>
        </message>
        <message>
            <source>No patrol grid is known yet: only the format of grid codes and their parents in the roster are checked.</source>
            <translation>尚无巡田网格：只检查网格编码格式及其在花名册中的上级。</translation>
        </message>
        <message>
            <source>Saving the roster…</source>
            <translation>正在保存花名册…</translation>
        </message>
        <message>
            <source>Import cancelled; the store was not changed.</source>
            <translation>已取消导入，田管库未作改动。</translation>
        </message>
        <message>
            <source>Officer roster (.xlsx or .csv)</source>
            <translation>田管员花名册（.xlsx 或 .csv）</translation>
        </message>
        <message>
            <source>Patrol grid cells (fields code and level)</source>
            <translation>巡田网格（字段 code 和 level）</translation>
        </message>
        <message>
            <source>Only check, do not import</source>
            <translation>只检查，不导入</translation>
        </message>
        <message>
            <source>Roster problems</source>
            <translation>花名册问题</translation>
        </message>
        <message>
            <source>Officers imported</source>
            <translation>导入的田管员数</translation>
        </message>
        <message>
            <source>Roster</source>
            <translation>花名册</translation>
        </message>
        <message>
            <source>Choose the roster file (.xlsx or .csv).</source>
            <translation>请选择花名册文件（.xlsx 或 .csv）。</translation>
        </message>
        <message>
            <source>Cannot open {file} as an Excel workbook.</source>
            <translation>无法将 {file} 作为 Excel 工作簿打开。</translation>
        </message>
        <message>
            <source>Roster (*.xlsx *.csv *.XLSX *.CSV)</source>
            <translation>花名册 (*.xlsx *.csv *.XLSX *.CSV)</translation>
        </message>
        <message>
            <source>The patrol grid layer has no field “code”.</source>
            <translation>巡田网格图层没有“code”字段。</translation>
        </message>
        <message>
            <source>Reading {file}…</source>
            <translation>正在读取 {file}…</translation>
        </message>
        <message>
            <source>Checking {n} rows…</source>
            <translation>正在检查 {n} 行…</translation>
        </message>
        <message>
            <source>Roster {id}: {n} rows of {file} imported; it is now the current roster.</source>
            <translation>花名册 {id}：已导入 {file} 的 {n} 行，现为当前花名册。</translation>
        </message>
        <message>
            <source>{file} is neither UTF-8 nor GBK text. Save it from Excel as “CSV UTF-8” or as .xlsx.</source>
            <translation>{file} 既不是 UTF-8 也不是 GBK 文本。请在 Excel 中另存为“CSV UTF-8”或 .xlsx。</translation>
        </message>
        <message>
            <source>{file} has no sheet “{sheet}”; its sheets are: {sheets}.</source>
            <translation>{file} 中没有工作表“{sheet}”；现有工作表：{sheets}。</translation>
        </message>
        <message>
            <source>{file} is empty.</source>
            <translation>{file} 是空文件。</translation>
        </message>
        <message>
            <source>{file} has no column {columns}. The header row must name the columns 层级, 网格编码, 网格名称, 姓名, 角色, 职务, 电话, 是否空缺 (or level, grid_code, grid_name, name, role, post, phone, vacant).</source>
            <translation>{file} 缺少列 {columns}。表头行须为列名：层级、网格编码、网格名称、姓名、角色、职务、电话、是否空缺（或 level、grid_code、grid_name、name、role、post、phone、vacant）。</translation>
        </message>
        <message>
            <source>Grid codes are checked against the {n} cells of the patrol grid layer.</source>
            <translation>网格编码按巡田网格图层的 {n} 个网格核对。</translation>
        </message>
        <message>
            <source>Grid codes are checked against the {n} cells of the store's current patrol grid.</source>
            <translation>网格编码按田管库当前巡田网格的 {n} 个网格核对。</translation>
        </message>
        <message>
            <source>{file}, row {row}, grid {code}: {message}</source>
            <translation>{file} 第 {row} 行，网格 {code}：{message}</translation>
        </message>
        <message>
            <source>{file}, grid {code}: {message}</source>
            <translation>{file}，网格 {code}：{message}</translation>
        </message>
        <message>
            <source>{file} was read as {encoding} text.</source>
            <translation>{file} 按 {encoding} 编码读取。</translation>
        </message>
        <message>
            <source>{file} has a header but no officers.</source>
            <translation>{file} 只有表头，没有田管员。</translation>
        </message>
        <message>
            <source>The roster was not imported: {errors} errors in {file} ({warnings} warnings). Correct the rows named above and import it again; {current}</source>
            <translation>花名册未导入：{file} 有 {errors} 个错误（{warnings} 个警告）。请更正上面列出的行后重新导入；{current}</translation>
        </message>
        <message>
            <source>{file} has no errors ({warnings} warnings); it was only checked, not imported.</source>
            <translation>{file} 没有错误（{warnings} 个警告）；仅作检查，未导入。</translation>
        </message>
        <message>
            <source>… and {n} more; every problem is listed in the issues table.</source>
            <translation>……另有 {n} 个问题；全部问题见问题表。</translation>
        </message>
        <message>
            <source>{file} is neither an .xlsx workbook nor a .csv file.</source>
            <translation>{file} 既不是 .xlsx 工作簿也不是 .csv 文件。</translation>
        </message>
        <message>
            <source>the store has no roster yet.</source>
            <translation>田管库尚无花名册。</translation>
        </message>
        <message>
            <source>roster {id} stays current.</source>
            <translation>花名册 {id} 继续有效。</translation>
        </message>
        <message>
            <source>no valid position</source>
            <translation>无有效位置</translation>
        </message>
        <message>
            <source>time in the future or before 2000 (phone clock wrong)</source>
            <translation>时间在将来或早于 2000 年（手机时钟错误）</translation>
        </message>
        <message>
            <source>poor accuracy</source>
            <translation>精度差</translation>
        </message>
        <message>
            <source>already imported from an earlier file</source>
            <translation>已从先前的文件导入</translation>
        </message>
        <message>
            <source>same time as the previous fix</source>
            <translation>与上一定位点时间相同</translation>
        </message>
        <message>
            <source>time goes backwards</source>
            <translation>时间倒退</translation>
        </message>
        <message>
            <source>impossible speed jump</source>
            <translation>速度不可能的跳点</translation>
        </message>
        <message>
            <source>Import patrol tracks</source>
            <translation>导入巡田轨迹</translation>
        </message>
        <message>
            <source>&lt;p&gt;Imports the patrol tracks that officers record with their phones into the tianguan store: a file, or every GPX, GeoJSON, CSV and GeoPackage file of a folder (optionally with its subfolders). The patrol app names GPX files by group code and date (62292110000101_20250613.gpx); the officer is read from the GPX author, a chosen field or the current roster, the group from the file name, the GPX description or a chosen field.&lt;/p&gt;&lt;p&gt;CSV files (UTF-8 or GBK) have the columns lon, lat, time (and officer, accuracy); GeoJSON and GeoPackage layers have points with a time field or lines with times as M values. Times without a time zone are Beijing time; GPX times are UTC. Coordinates are lon/lat (WGS 84 or CGCS2000).&lt;/p&gt;&lt;p&gt;Every raw fix is kept. Cleaning drops, without changing them, fixes with an accuracy worse than 50 m, repeated or backward times and jumps faster than 40 m/s (a phone's wrong first positions included); the rest is split into patrols at gaps longer than 20 minutes and projected to the store's coordinate system. Importing the same file again adds nothing; fixes already imported from another file (a tracking layer exported again after it grew) are kept but make no second track. A damaged or empty file is reported by name and the other files are still imported.&lt;/p&gt;</source>
            <translation>&lt;p&gt;将田管员用手机记录的巡田轨迹导入田管库：可以是单个文件，也可以是一个文件夹（可含子文件夹）中的全部 GPX、GeoJSON、CSV 和 GeoPackage 文件。巡田 App 以组编码和日期命名 GPX 文件（62292110000101_20250613.gpx）；田管员取自 GPX 作者、指定字段或当前花名册，所属组取自文件名、GPX 描述或指定字段。&lt;/p&gt;&lt;p&gt;CSV 文件（UTF-8 或 GBK）包含 lon、lat、time 列（以及 officer、accuracy）；GeoJSON 和 GeoPackage 图层为带时间字段的点，或以 M 值记录时间的线。未带时区的时间按北京时间处理；GPX 时间为 UTC。坐标为经纬度（WGS 84 或 CGCS2000）。&lt;/p&gt;&lt;p&gt;所有原始定位点均予保留。清洗时（不修改原始点）剔除精度差于 50 米的点、时间重复或倒退的点以及速度超过 40 米/秒的跳点（包括手机开机时错误的初始定位）；其余的点在间隔超过 20 分钟处分为多次巡田，并投影到田管库的坐标系。重复导入同一文件不会新增任何内容；已从其他文件导入过的定位点（追踪图层增长后再次导出）会被保留，但不会生成第二条轨迹。损坏或空的文件按文件名报告，文件夹中其他文件照常导入。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>{file}: not imported: {bad} of {n} fixes have times in the future or before 2000 (column “{column}”, first at row {row}: {time} Beijing time); the phone's clock was wrong. The file is not marked as imported: correct the times and import it again.</source>
            <translation>{file}：未导入：{n} 个定位点中有 {bad} 个的时间在将来或早于 2000 年（“{column}”列，首个在第 {row} 行：北京时间 {time}）；手机时钟错误。该文件未登记为已导入：请更正时间后重新导入。</translation>
        </message>
        <message>
            <source>only {n} usable fixes: no track</source>
            <translation>仅有 {n} 个可用定位点，不构成轨迹</translation>
        </message>
        <message>
            <source>{file}: not imported: {bad} of {n} fixes have no readable time (column “{column}”, first at row {row}: “{text}”). Expected a date and time such as 2025-06-20 09:00:05, 2025/6/20 9:00:05, 2025年6月20日 9时0分5秒, 20250620090005 or an Excel date number (45828.375); times without a zone are Beijing time. The file is not marked as imported: correct it and import it again.</source>
            <translation>{file}：未导入：{n} 个定位点中有 {bad} 个的时间无法识别（“{column}”列，首个在第 {row} 行：“{text}”）。应为日期时间，如 2025-06-20 09:00:05、2025/6/20 9:00:05、2025年6月20日 9时0分5秒、20250620090005 或 Excel 日期数值（45828.375）；不带时区的时间按北京时间。该文件未登记为已导入：请修改后重新导入。</translation>
        </message>
        <message>
            <source>Track file</source>
            <translation>轨迹文件</translation>
        </message>
        <message>
            <source>Folder of track files</source>
            <translation>轨迹文件夹</translation>
        </message>
        <message>
            <source>Include subfolders</source>
            <translation>包括子文件夹</translation>
        </message>
        <message>
            <source>Officer field (CSV, GeoJSON, GeoPackage)</source>
            <translation>田管员字段（CSV、GeoJSON、GeoPackage）</translation>
        </message>
        <message>
            <source>Group code field (CSV, GeoJSON, GeoPackage)</source>
            <translation>社编码字段（CSV、GeoJSON、GeoPackage）</translation>
        </message>
        <message>
            <source>Layer of the GeoPackage (empty: the first point or line layer)</source>
            <translation>GeoPackage 中的图层（留空：第一个点或线图层）</translation>
        </message>
        <message>
            <source>Files imported</source>
            <translation>已导入文件数</translation>
        </message>
        <message>
            <source>Files already imported</source>
            <translation>此前已导入的文件数</translation>
        </message>
        <message>
            <source>Files that could not be read</source>
            <translation>无法读取的文件数</translation>
        </message>
        <message>
            <source>Tracks</source>
            <translation>轨迹数</translation>
        </message>
        <message>
            <source>Fixes</source>
            <translation>定位点数</translation>
        </message>
        <message>
            <source>Fixes dropped by cleaning</source>
            <translation>清洗剔除的定位点数</translation>
        </message>
        <message>
            <source>Choose a track file or a folder of track files.</source>
            <translation>请选择轨迹文件或轨迹文件夹。</translation>
        </message>
        <message>
            <source>No GPX, GeoJSON, CSV or GeoPackage file was found.</source>
            <translation>未找到任何 GPX、GeoJSON、CSV 或 GeoPackage 文件。</translation>
        </message>
        <message>
            <source>Import cancelled after {done} of {total} files; the files imported so far are kept.</source>
            <translation>已在 {total} 个文件中处理 {done} 个后取消导入；已导入的文件予以保留。</translation>
        </message>
        <message>
            <source>{file}: not imported: {fault}.</source>
            <translation>{file}：未导入：{fault}。</translation>
        </message>
        <message>
            <source>Import stopped. Imported ({n_done}): {done}. Not imported ({n_left}): {left}.</source>
            <translation>导入已停止。已导入（{n_done} 个）：{done}。未导入（{n_left} 个）：{left}。</translation>
        </message>
        <message>
            <source>its {n} fixes were all imported before from an earlier export; no new track</source>
            <translation>其 {n} 个定位点均已从先前导出的文件导入，没有新的轨迹</translation>
        </message>
        <message>
            <source>Tracks (*.gpx *.geojson *.json *.csv *.gpkg *.GPX *.CSV)</source>
            <translation>轨迹 (*.gpx *.geojson *.json *.csv *.gpkg *.GPX *.CSV)</translation>
        </message>
        <message>
            <source>{files} files imported ({tracks} tracks, {fixes} fixes, {dropped} dropped), {skipped} already imported, {failed} could not be read.</source>
            <translation>导入 {files} 个文件（{tracks} 条轨迹，{fixes} 个定位点，剔除 {dropped} 个），{skipped} 个此前已导入，{failed} 个无法读取。</translation>
        </message>
        <message>
            <source>{file}: the file is empty ({size} bytes); ask the officer to upload it again.</source>
            <translation>{file}：文件为空（{size} 字节），请田管员重新上传。</translation>
        </message>
        <message>
            <source>{file}: {fixes} fixes, {dropped} dropped{why}, {tracks} tracks; grid {grid}, officer {officer}.</source>
            <translation>{file}：{fixes} 个定位点，剔除 {dropped} 个{why}，{tracks} 条轨迹；网格 {grid}，田管员 {officer}。</translation>
        </message>
        <message>
            <source>{file}: imported, but {message} (a track needs at least two fixes close in time).</source>
            <translation>{file}：已导入，但{message}（一条轨迹至少需要两个时间相近的定位点）。</translation>
        </message>
        <message>
            <source>{file}: no group code in the file or its name; the track cannot be matched to a patrol task.</source>
            <translation>{file}：文件内容和文件名中都没有社编码，轨迹无法对应到巡田任务。</translation>
        </message>
        <message>
            <source>… and {n} more</source>
            <translation>……另有 {n} 个</translation>
        </message>
        <message>
            <source>The import stopped at {file}: {fault}. Imported ({n_done}): {done}. Not imported ({n_left}): {left}. The files imported are kept; import the folder again once the store is fixed (files already imported are skipped).</source>
            <translation>导入在 {file} 处停止：{fault}。已导入（{n_done} 个）：{done}。未导入（{n_left} 个）：{left}。已导入的文件保留；排除田管库故障后再次导入该文件夹即可（已导入的文件会自动跳过）。</translation>
        </message>
        <message>
            <source>{file}: the tianguan store is locked by another program writing to it; waiting {seconds} s before trying again ({attempt} of {attempts})…</source>
            <translation>{file}：田管库正被另一个程序写入而锁定；等待 {seconds} 秒后重试（第 {attempt} 次，共 {attempts} 次）……</translation>
        </message>
        <message>
            <source>Reading {file} ({n}/{total})…</source>
            <translation>正在读取 {file}（{n}/{total}）…</translation>
        </message>
        <message>
            <source>{file}: cannot be imported: it has no track points.</source>
            <translation>{file}：无法导入：其中没有轨迹点。</translation>
        </message>
        <message>
            <source>{file}: already imported on {date} (as {path}); skipped.</source>
            <translation>{file}：已于 {date} 导入（当时文件为 {path}），跳过。</translation>
        </message>
        <message>
            <source>{file}: cannot be read ({error}).</source>
            <translation>{file}：无法读取（{error}）。</translation>
        </message>
        <message>
            <source>Track file {file} does not exist.</source>
            <translation>轨迹文件 {file} 不存在。</translation>
        </message>
        <message>
            <source>Folder {folder} does not exist.</source>
            <translation>文件夹 {folder} 不存在。</translation>
        </message>
        <message>
            <source>{file}: cannot be imported: {problem}.</source>
            <translation>{file}：无法导入：{problem}。</translation>
        </message>
        <message>
            <source>{file}: {note}.</source>
            <translation>{file}：{note}。</translation>
        </message>
        <message>
            <source>{file}: already imported by another run at the same time; skipped.</source>
            <translation>{file}：已由同时进行的另一次导入写入田管库，跳过。</translation>
        </message>
        <message>
            <source>Parcel patrol status</source>
            <translation>地块巡管状态</translation>
        </message>
        <message>
            <source>&lt;p&gt;地块巡管状态 · Every coded parcel with its status, coloured: red 有未结案件 (a case touching it is not closed and not yet being enforced or rectified), blue 整改中 (its open cases are being enforced or rectified), yellow 巡田逾期 (its group missed its last decided patrol task) and green 正常. The rule is 码上查's (解析空间码) for one parcel; the current week's open task decides nothing yet.&lt;/p&gt;&lt;p&gt;Each parcel also shows its open cases, its group's last patrol (Beijing time) and the status of its group's deciding task. Restrict to a county, township or village by its code. The status is computed now, or at the time given in the advanced parameters; nothing is written to the store.&lt;/p&gt;</source>
            <translation>&lt;p&gt;地块巡管状态 · 列出每个已赋码地块及其状态并按颜色显示：红色 有未结案件（涉及该地块的案件尚未结案，且尚未进入执行或整改）、蓝色 整改中（其未结案件正在执行或整改）、黄色 巡田逾期（所在社最近一个已有结果的巡田任务已过期）、绿色 正常。规则与码上查（解析空间码）对单个地块给出的相同；本周尚未结束的任务不计入。&lt;/p&gt;&lt;p&gt;每个地块还给出未结案件数、所在社最近巡田时间（北京时间）和所在社决定状态的巡田任务的状态。可按县、乡镇或村代码限定范围。状态按运行时间计算，或按高级参数中给出的时间计算；不向田管库写入任何内容。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Parcel status as of {when} (Beijing time): {parcels} parcels.</source>
            <translation>地块巡管状态（截至北京时间 {when}）：共 {parcels} 个地块。</translation>
        </message>
        <message>
            <source>{name}: {count} parcels</source>
            <translation>{name}：{count} 个地块</translation>
        </message>
        <message>
            <source>Patrol coverage analysis</source>
            <translation>巡田覆盖分析</translation>
        </message>
        <message>
            <source>&lt;p&gt;巡田覆盖分析 · Finds which farmland parcels the officers' patrol tracks in the tianguan store came close enough to see in a period (default: this week, Monday to Sunday, Beijing time), and how much of each grid's farmland and permanent basic farmland that is.&lt;/p&gt;&lt;p&gt;Each track sees the ground within the viewing distance (default 50 m): its buffer. A parcel is &lt;b&gt;seen&lt;/b&gt; when part of it lies within the viewing distance of one of the period's tracks or, with a share above 0, when at least that share of its area lies inside the tracks' buffers; its last-seen time is the end of the latest track that came within the viewing distance. A grid's coverage rate is area-weighted: farmland of its seen parcels / its farmland (areas as coded), for 社, 村, 乡 and 县. Parcels not seen during the given number of weeks up to the last day are listed separately. The share of each parcel's area seen (field XJBL) is computed only when asked for (advanced option): it buffers every track, which takes much longer for a prefecture's week.&lt;/p&gt;&lt;p&gt;Only tracks marked accepted by the authenticity check count, unless that option is off. For every counted track the coverage of its own grid's farmland is written to the store; a track covering at least the minimum share becomes a patrol of that grid (source: track), so the grid's task of the period is done. Running again adds nothing twice.&lt;/p&gt;</source>
            <translation>&lt;p&gt;巡田覆盖分析 · 统计田管库中田管员的巡田轨迹在某一时段内（默认：本周，周一至周日，北京时间）巡查到了哪些耕地地块，以及这些地块占各网格耕地和永久基本农田的比例。&lt;/p&gt;&lt;p&gt;每条轨迹能看到可视距离（默认 50 米）以内的地面，即其缓冲区。地块的任一部分位于本时段某条轨迹的可视距离之内，即为&lt;b&gt;已巡查&lt;/b&gt;；若设置了大于 0 的比例，则需地块面积中至少该比例位于轨迹缓冲区内。最近巡查时间为到达其可视距离之内的最晚一条轨迹的结束时间。网格覆盖率按面积加权：已巡查地块的耕地面积 / 网格耕地面积（按赋码面积），分社、村、乡、县统计。截至最后一天连续若干周未巡查到的地块单独列出。每个地块被巡查到的面积比例（字段 XJBL）仅在需要时计算（高级选项）：这需要对每条轨迹做缓冲区，全州一周的数据耗时会长得多。&lt;/p&gt;&lt;p&gt;默认只统计通过真实性检查的轨迹（可关闭此选项）。每条参与统计的轨迹对其所属网格耕地的覆盖率写入田管库；覆盖率达到最低比例的轨迹记为该网格的一次巡田（来源：轨迹），该网格本时段的任务即为已完成。重复运行不会重复添加。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>First day (YYYY-MM-DD; empty: Monday of this week)</source>
            <translation>开始日期（YYYY-MM-DD；留空：本周一）</translation>
        </message>
        <message>
            <source>Last day (YYYY-MM-DD; empty: Sunday of the first day's week)</source>
            <translation>结束日期（YYYY-MM-DD；留空：开始日期所在周的周日）</translation>
        </message>
        <message>
            <source>Compute the share of each parcel's area seen (slower: buffers every track)</source>
            <translation>计算每个地块被巡查到的面积比例（较慢：需对每条轨迹做缓冲区）</translation>
        </message>
        <message>
            <source>Coded farmland parcels (empty: the store's active codes)</source>
            <translation>已赋码耕地地块（留空：田管库现行空间码）</translation>
        </message>
        <message>
            <source>Reading coded parcels and tracks…</source>
            <translation>正在读取已赋码地块与轨迹…</translation>
        </message>
        <message>
            <source>Finding the parcels within the viewing distance of the tracks…</source>
            <translation>正在查找位于轨迹可视距离内的地块…</translation>
        </message>
        <message>
            <source>Writing the results…</source>
            <translation>正在写出结果…</translation>
        </message>
        <message>
            <source>Viewing distance (m)</source>
            <translation>可视距离（米）</translation>
        </message>
        <message>
            <source>Share of a parcel's area that must be seen (0: any overlap)</source>
            <translation>地块须被巡查到的面积比例（0：有任何重叠即可）</translation>
        </message>
        <message>
            <source>Share of its grid's farmland a track must cover to count as a patrol</source>
            <translation>轨迹计为一次巡田须覆盖本网格耕地的比例</translation>
        </message>
        <message>
            <source>List parcels not seen for this many weeks</source>
            <translation>列出连续未巡查达到此周数的地块</translation>
        </message>
        <message>
            <source>Only tracks accepted by the authenticity check</source>
            <translation>只统计通过真实性核验的轨迹</translation>
        </message>
        <message>
            <source>Parcels seen and not seen</source>
            <translation>地块巡查情况</translation>
        </message>
        <message>
            <source>Group grid coverage</source>
            <translation>社级网格覆盖率</translation>
        </message>
        <message>
            <source>Parcels not seen for weeks</source>
            <translation>连续多周未巡查地块</translation>
        </message>
        <message>
            <source>Coverage rates of every grid (table: county, township, village, group)</source>
            <translation>各级网格覆盖率（表格：县、乡镇、村、社）</translation>
        </message>
        <message>
            <source>Tracks counted</source>
            <translation>计入的轨迹数</translation>
        </message>
        <message>
            <source>Patrols added from tracks</source>
            <translation>由轨迹新增的巡田记录</translation>
        </message>
        <message>
            <source>Tracks below the grid share</source>
            <translation>未达到网格覆盖比例的轨迹数</translation>
        </message>
        <message>
            <source>Coverage run kept in the store</source>
            <translation>保存在田管库中的覆盖分析批次</translation>
        </message>
        <message>
            <source>No coded parcels: run one-click coding first (or give the coded parcels layer).</source>
            <translation>没有已赋码地块：请先运行一键赋码（或指定已赋码地块图层）。</translation>
        </message>
        <message>
            <source>No counted track in the period: nothing is seen. Import tracks (and run the authenticity check) first, or turn off “only accepted tracks”.</source>
            <translation>本时段没有计入的轨迹，所有地块均未巡查。请先导入轨迹（并做真实性核验），或关闭“只统计通过核验的轨迹”。</translation>
        </message>
        <message>
            <source>Cancelled; nothing was written to the store.</source>
            <translation>已取消，未写入田管库。</translation>
        </message>
        <message>
            <source>The store has no patrol grid: the group coverage layer has no geometry. Run “Build the patrol grid” first.</source>
            <translation>田管库中没有巡田网格，社级网格覆盖率图层没有几何。请先运行“构建巡田网格”。</translation>
        </message>
        <message>
            <source>Period {start} to {end}: {tracks} counted tracks, {parcels} parcels, viewing distance {distance} m.</source>
            <translation>时段 {start} 至 {end}：计入轨迹 {tracks} 条，地块 {parcels} 个，可视距离 {distance} 米。</translation>
        </message>
        <message>
            <source>{tracks} tracks reach {share:.0%} of their grid's farmland: {added} new patrols recorded ({existing} already there); {below} tracks below the share.</source>
            <translation>{tracks} 条轨迹覆盖本网格耕地达到 {share:.0%}：新增巡田记录 {added} 条（已有 {existing} 条）；{below} 条轨迹未达到该比例。</translation>
        </message>
        <message>
            <source>Cancelled after the store was updated; the layers are incomplete.</source>
            <translation>田管库已更新后取消，输出图层不完整。</translation>
        </message>
        <message>
            <source>The store's space codes changed while the coverage was computed (was one-click coding running at the same time?). Nothing was written: run the analysis again.</source>
            <translation>计算覆盖期间田管库中的空间码发生了变化（是否同时在运行一键赋码？）。未写入任何内容：请重新运行分析。</translation>
        </message>
        <message>
            <source>{n} counted tracks have no grid code or their grid has no farmland: no coverage for them.</source>
            <translation>{n} 条计入的轨迹没有网格编码或所属网格没有耕地，无法计算覆盖率。</translation>
        </message>
        <message>
            <source>{path} was created by another program while the coverage was computed, so the layer was not written there (the store holds the run): choose another file name and run again.</source>
            <translation>巡田覆盖分析运行期间，{path} 被其他程序新建，因此图层没有写到该文件（田管库已记录本次运行）：请换一个文件名后重新运行。</translation>
        </message>
        <message>
            <source>{code}: farmland {rate} seen ({seen:.0f} of {total:.0f} m²), permanent basic farmland {basic}.</source>
            <translation>{code}：耕地巡查覆盖率 {rate}（{total:.0f} ㎡ 中 {seen:.0f} ㎡），永久基本农田 {basic}。</translation>
        </message>
        <message>
            <source>Cannot write layer {layer} of {path}: {error}</source>
            <translation>无法写入 {path} 的图层 {layer}：{error}</translation>
        </message>
        <message>
            <source>Record patrols</source>
            <translation>登记巡田记录</translation>
        </message>
        <message>
            <source>&lt;p&gt;登记巡田记录 — Records patrols in the tianguan store from a table (CSV in UTF-8 or GBK, XLSX) or any layer with the fields grid code, officer, start time and end time, and optionally valid and note (Chinese headers 网格编码, 田管员, 开始时间, 结束时间, 有效, 备注 are accepted too).&lt;/p&gt;&lt;p&gt;Times may carry an offset or Z (UTC); times without one are Beijing time. Rows with an unknown grid code or a time that cannot be read are listed with their row number and are not recorded. Importing the same table again records nothing twice.&lt;/p&gt;&lt;p&gt;A patrol completes the task of its grid whose period contains the patrol's start (Beijing date); patrols marked not valid (有效 = 0 / 否) complete nothing.&lt;/p&gt;</source>
            <translation>&lt;p&gt;登记巡田记录 — 从表格（UTF-8 或 GBK 编码的 CSV、XLSX）或任意图层把巡田记录登记到田管库，字段为网格编码、田管员、开始时间、结束时间，可选有效、备注（也接受英文列名 grid_code、officer、started_at、ended_at、valid、note）。&lt;/p&gt;&lt;p&gt;时间可带时区偏移或 Z（UTC），不带的按北京时间。网格编码未知或时间无法识别的行连同行号列出，不予登记。同一张表重复导入不会重复登记。&lt;/p&gt;&lt;p&gt;一次巡田完成其网格中周期包含巡田开始日期（北京时间）的任务；标为无效（有效 = 0 / 否）的巡田不计入完成。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Patrols are</source>
            <translation>巡田记录来源</translation>
        </message>
        <message>
            <source>the grid code is empty; fill in the 网格编码 of the patrolled grid.</source>
            <translation>网格编码为空，请填写所巡网格的网格编码。</translation>
        </message>
        <message>
            <source>the end time is before the start time; check both.</source>
            <translation>结束时间早于开始时间，请核对。</translation>
        </message>
        <message>
            <source>Patrol table (CSV, XLSX or layer)</source>
            <translation>巡田记录表（CSV、XLSX 或图层）</translation>
        </message>
        <message>
            <source>imported (from the patrol app)</source>
            <translation>导入（来自巡田 App）</translation>
        </message>
        <message>
            <source>recorded by hand</source>
            <translation>手工登记</translation>
        </message>
        <message>
            <source>Patrols recorded</source>
            <translation>已登记巡田记录数</translation>
        </message>
        <message>
            <source>Rows not recorded</source>
            <translation>未登记行数</translation>
        </message>
        <message>
            <source>Rows with errors</source>
            <translation>有错误的行数</translation>
        </message>
        <message>
            <source>Choose the patrol table.</source>
            <translation>请选择巡田记录表。</translation>
        </message>
        <message>
            <source>start time</source>
            <translation>开始时间</translation>
        </message>
        <message>
            <source>end time</source>
            <translation>结束时间</translation>
        </message>
        <message>
            <source>{added} patrols recorded; {skipped} rows not recorded ({already} already recorded, {rejected} with errors).</source>
            <translation>已登记巡田记录 {added} 条；未登记 {skipped} 行（已登记过 {already} 行，有错误 {rejected} 行）。</translation>
        </message>
        <message>
            <source>the grid code “{code}” is not in the patrol grid or the officer roster; check it (州 4, 县 6, 乡 9, 村 12, 社 14 digits).</source>
            <translation>网格编码“{code}”不在巡田网格或田管员花名册中，请核对（州 4 位、县 6 位、乡 9 位、村 12 位、社 14 位）。</translation>
        </message>
        <message>
            <source>the start time {value} is in the future; check the date.</source>
            <translation>开始时间 {value} 晚于当前时间，请核对日期。</translation>
        </message>
        <message>
            <source>“{value}” in the valid column is neither 1/是 nor 0/否.</source>
            <translation>“有效”列的值“{value}”既不是 1/是，也不是 0/否。</translation>
        </message>
        <message>
            <source>“{table}” is not UTF-8; it is read as GBK.</source>
            <translation>“{table}”不是 UTF-8 编码，按 GBK 读取。</translation>
        </message>
        <message>
            <source>The table “{table}” has no column {columns}. Its columns are: {fields}.</source>
            <translation>表“{table}”缺少列 {columns}。该表的列为：{fields}。</translation>
        </message>
        <message>
            <source>… and {count} more rows with errors.</source>
            <translation>……另有 {count} 行有错误。</translation>
        </message>
        <message>
            <source>the {what} is empty; write it as YYYY-MM-DD HH:MM.</source>
            <translation>{what}为空，请按 YYYY-MM-DD HH:MM 填写。</translation>
        </message>
        <message>
            <source>Cancelled; no patrol was recorded.</source>
            <translation>已取消，未登记任何巡田记录。</translation>
        </message>
        <message>
            <source>the {what} “{value}” cannot be read; write it as YYYY-MM-DD HH:MM (Beijing time) or with an offset such as +08:00.</source>
            <translation>无法识别{what}“{value}”，请按 YYYY-MM-DD HH:MM（北京时间）填写，或带时区偏移如 +08:00。</translation>
        </message>
        <message>
            <source>Row {row}: {problem}</source>
            <translation>第 {row} 行：{problem}</translation>
        </message>
        <message>
            <source>the post has no number. Fill in 桩号.</source>
            <translation>该桩没有编号。请填写桩号。</translation>
        </message>
        <message>
            <source>post {value} is already in row {other}. Keep one row per post.</source>
            <translation>桩号 {value} 已在第 {other} 行出现。每根桩只保留一行。</translation>
        </message>
        <message>
            <source>the post labels no code. Fill in the space code (20 characters) or the group code (14 digits).</source>
            <translation>该桩未标注编码。请填写空间码（20 位）或社编码（14 位数字）。</translation>
        </message>
        <message>
            <source>“{value}” is neither a space code (20 characters with a correct check character) nor a group code (14 digits). Correct the code.</source>
            <translation>“{value}”既不是空间码（20 位，校验码正确），也不是社编码（14 位数字）。请更正编码。</translation>
        </message>
        <message>
            <source>“{value}” is not a number. Write degrees as a decimal number, e.g. 103.21.</source>
            <translation>“{value}”不是数字。请以十进制度数填写，例如 103.21。</translation>
        </message>
        <message>
            <source>the post has no position. Fill in 经度 and 纬度 (or give the point).</source>
            <translation>该桩没有位置。请填写经度和纬度（或提供点位）。</translation>
        </message>
        <message>
            <source>{lon}, {lat} is not in China: check 经度 and 纬度 (not swapped? degrees, not metres?).</source>
            <translation>{lon}, {lat} 不在中国境内：请检查经度和纬度（是否填反？是否为度而非米？）。</translation>
        </message>
        <message>
            <source>“{value}” is not a date. Write it as 2025-06-01.</source>
            <translation>“{value}”不是日期。请写成 2025-06-01 的形式。</translation>
        </message>
        <message>
            <source>“{value}” is not a condition: write 完好, 损坏, 缺失 or 其他.</source>
            <translation>“{value}”不是有效的状况：请填写 完好、损坏、缺失 或 其他。</translation>
        </message>
        <message>
            <source>Register warning posts</source>
            <translation>登记警示桩</translation>
        </message>
        <message>
            <source>&lt;p&gt;登记警示桩 · Keeps the register of the warning posts installed in the fields: where each stands, which space code or group it labels, when it was installed and its condition. Reads a list (CSV from Excel in UTF-8 or GBK, or an Excel workbook) or a point layer.&lt;/p&gt;&lt;p&gt;Columns (Chinese or English): 桩号 post_id, 空间码 space_code or 社编码 group_code, 经度/纬度 lon/lat (not needed for a point layer), 安装日期 installed_on, 状况 condition (完好, 损坏, 缺失, 其他; empty: 完好), 备注 note.&lt;/p&gt;&lt;p&gt;Rows that cannot be used are listed with their row and column and skipped. A post already registered keeps its installation date and position and gets the condition and note of the list: importing the officers' inspection list updates the register; the same list twice changes nothing. The output layer shows every registered post with its group's name and whether the space code it labels is still in use.&lt;/p&gt;</source>
            <translation>&lt;p&gt;登记警示桩：登记田间已安装的警示桩——每根桩的位置、标注的空间码或社、安装日期及现状。读取清单（Excel 另存的 UTF-8 或 GBK 编码 CSV，或 Excel 工作簿）或点图层。&lt;/p&gt;&lt;p&gt;列（中文或英文）：桩号 post_id、空间码 space_code 或 社编码 group_code、经度/纬度 lon/lat（点图层可省）、安装日期 installed_on、状况 condition（完好、损坏、缺失、其他；空为完好）、备注 note。&lt;/p&gt;&lt;p&gt;无法使用的行连同行号和列名列出并跳过。已登记的桩保持其安装日期和位置，采用清单中的状况和备注：导入田管员的巡查清单即更新登记簿；同一份清单导入两次不改变任何内容。输出图层列出全部登记的桩，附所在社的名称及所标空间码是否仍在使用。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>its format is not supported (CSV or XLSX)</source>
            <translation>不支持其格式（仅支持 CSV 或 XLSX）</translation>
        </message>
        <message>
            <source>Warning post list (.csv or .xlsx)</source>
            <translation>警示桩清单（.csv 或 .xlsx）</translation>
        </message>
        <message>
            <source>Or: warning post points</source>
            <translation>或：警示桩点图层</translation>
        </message>
        <message>
            <source>Warning post register</source>
            <translation>警示桩登记</translation>
        </message>
        <message>
            <source>Posts registered</source>
            <translation>已登记警示桩</translation>
        </message>
        <message>
            <source>Posts added</source>
            <translation>新增警示桩</translation>
        </message>
        <message>
            <source>Posts updated</source>
            <translation>更新警示桩</translation>
        </message>
        <message>
            <source>Give either the warning post list or the point layer, not both.</source>
            <translation>请提供警示桩清单或点图层之一，不要同时提供。</translation>
        </message>
        <message>
            <source>Choose the warning post list (.csv or .xlsx) or a point layer.</source>
            <translation>请选择警示桩清单（.csv 或 .xlsx）或点图层。</translation>
        </message>
        <message>
            <source>it has no column {columns}. The header row must name 桩号, 空间码 or 社编码, 经度, 纬度, 安装日期, 状况, 备注 (or post_id, space_code or group_code, lon, lat, installed_on, condition, note).</source>
            <translation>缺少列 {columns}。表头行须包含 桩号、空间码 或 社编码、经度、纬度、安装日期、状况、备注（或 post_id、space_code 或 group_code、lon、lat、installed_on、condition、note）。</translation>
        </message>
        <message>
            <source>Warning post list (*.csv *.xlsx *.CSV *.XLSX)</source>
            <translation>警示桩清单 (*.csv *.xlsx *.CSV *.XLSX)</translation>
        </message>
        <message>
            <source>{name}: {n} posts read, {refused} rows refused; {added} posts added, {updated} updated; the register holds {total} posts.</source>
            <translation>{name}：读取 {n} 根桩，拒绝 {refused} 行；新增 {added} 根，更新 {updated} 根；登记簿共有 {total} 根桩。</translation>
        </message>
        <message>
            <source>{name}, row {row}, column {column}: {message}</source>
            <translation>{name}，第 {row} 行，“{column}”列：{message}</translation>
        </message>
        <message>
            <source>{n} posts label a retired space code (e.g. {posts}): replace their plates.</source>
            <translation>{n} 根桩标注的空间码已注销（例如 {posts}）：请更换其标识牌。</translation>
        </message>
        <message>
            <source>{file} cannot be read as warning posts: {reason}</source>
            <translation>无法将 {file} 读作警示桩清单：{reason}</translation>
        </message>
        <message>
            <source>The point layer cannot be read as warning posts: {reason}</source>
            <translation>无法将该点图层读作警示桩：{reason}</translation>
        </message>
        <message>
            <source>it has no point or line layer</source>
            <translation>其中没有点图层或线图层</translation>
        </message>
        <message>
            <source>its format is not supported (GPX, GeoJSON, CSV or GeoPackage)</source>
            <translation>不支持该格式（仅支持 GPX、GeoJSON、CSV 或 GeoPackage）</translation>
        </message>
        <message>
            <source>OGR cannot open it</source>
            <translation>OGR 无法打开该文件</translation>
        </message>
        <message>
            <source>it is XML but not GPX (root element &lt;{tag}&gt;)</source>
            <translation>它是 XML 但不是 GPX（根元素为 &lt;{tag}&gt;）</translation>
        </message>
        <message>
            <source>{n} route points and waypoints skipped: they are planned points, not part of the recorded walk</source>
            <translation>已跳过 {n} 个路线点和航点：它们是计划的点位，不属于记录的巡田轨迹</translation>
        </message>
        <message>
            <source>its header has no column {columns} (columns: {header}); name them lon, lat and time (or 经度, 纬度, 时间)</source>
            <translation>表头中没有 {columns} 列（现有列：{header}）；请将列命名为 lon、lat、time（或 经度、纬度、时间）</translation>
        </message>
        <message>
            <source>it is not well-formed XML ({error}); the upload is probably cut off or damaged</source>
            <translation>不是格式正确的 XML（{error}）；上传的文件可能不完整或已损坏</translation>
        </message>
        <message>
            <source>it has no recorded track (&lt;trk&gt;), only {routes} route points and {waypoints} waypoints, {timed} of them with a time; routes and waypoints are planned points, not a walk: export the recorded track from the app</source>
            <translation>其中没有记录的轨迹（&lt;trk&gt;），只有 {routes} 个路线点和 {waypoints} 个航点，其中 {timed} 个带时间；路线和航点是计划的点位，不是实际走过的轨迹：请从应用中导出记录的轨迹</translation>
        </message>
        <message>
            <source>it has no column “{field}”</source>
            <translation>其中没有“{field}”列</translation>
        </message>
        <message>
            <source>it has no layer “{layer}”; its layers are: {layers}</source>
            <translation>其中没有图层“{layer}”；现有图层：{layers}</translation>
        </message>
        <message>
            <source>layer “{layer}” has no field “{field}”</source>
            <translation>图层“{layer}”没有字段“{field}”</translation>
        </message>
        <message>
            <source>its lines carry no times (neither M values nor a times property)</source>
            <translation>其中的线没有时间（既无 M 值，也无 times 属性）</translation>
        </message>
        <message>
            <source>a line has {n} vertices but {m} times</source>
            <translation>一条线有 {n} 个顶点，却有 {m} 个时间</translation>
        </message>
        <message>
            <source>Publish to the prefecture store</source>
            <translation>发布到州库</translation>
        </message>
        <message>
            <source>&lt;p&gt;发布到州库 · Sends what changed in this county's tianguan store since its last publish — codes with their lineage, the patrol grid, the roster, tasks, patrols, tracks and their fixes, coverage and change runs, evidence with its files, and the cases with their history — into the prefecture's shared PostGIS store, through a saved QGIS PostgreSQL connection whose database role is this county's desk (its password comes from the connection's authentication configuration).&lt;/p&gt;&lt;p&gt;Only rows that are new or changed are sent, in batches of one transaction each: publishing again sends nothing, and a publish cut off halfway (network, laptop closed) goes on from where it stopped when run again. Codes are append-only in the prefecture store: if this store gives a published code another identity or makes a retired code active again, nothing is sent and the codes are listed. At the end the county's rows are counted in both stores.&lt;/p&gt;&lt;p&gt;The schema is created and roles are granted by the prefecture's administrator (州库建库与授权).&lt;/p&gt;</source>
            <translation>&lt;p&gt;发布到州库：把本县田管库自上次发布以来的变化——空间码及其继承关系、巡田网格、花名册、巡田任务、巡田记录、轨迹及定位点、覆盖分析与变化分析运行记录、举证材料及其文件、案件及其流转记录——通过已保存的 QGIS PostgreSQL 连接写入州级共享 PostGIS 库；连接的数据库账号须是本县的账号（密码来自连接的认证配置）。&lt;/p&gt;&lt;p&gt;只发送新增或变化的行，每批一个事务：再次发布不会发送任何内容；发布中途中断（网络、合上电脑）后再次运行即从中断处继续。州库中的空间码只增不改：若本库把已发布的编码改成别的身份，或把已注销的编码恢复为现行，则不发送任何内容并列出这些编码。最后核对两库中本县每张表的行数。&lt;/p&gt;&lt;p&gt;共享模式的创建与账号授权由州级管理员完成（州库建库与授权）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Administrative units</source>
            <translation>行政区划</translation>
        </message>
        <message>
            <source>Coding runs</source>
            <translation>赋码运行记录</translation>
        </message>
        <message>
            <source>Space codes</source>
            <translation>空间码</translation>
        </message>
        <message>
            <source>Code lineage</source>
            <translation>编码继承关系</translation>
        </message>
        <message>
            <source>Grid builds</source>
            <translation>网格版本</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>网格单元</translation>
        </message>
        <message>
            <source>Roster imports</source>
            <translation>花名册版本</translation>
        </message>
        <message>
            <source>Officers</source>
            <translation>田管员</translation>
        </message>
        <message>
            <source>Track files</source>
            <translation>轨迹文件</translation>
        </message>
        <message>
            <source>Track fixes</source>
            <translation>轨迹定位点</translation>
        </message>
        <message>
            <source>Coverage runs</source>
            <translation>覆盖分析运行记录</translation>
        </message>
        <message>
            <source>Coverage rates</source>
            <translation>覆盖率</translation>
        </message>
        <message>
            <source>Change runs</source>
            <translation>变化分析运行记录</translation>
        </message>
        <message>
            <source>The store holds no county yet: code the county first (一键赋码).</source>
            <translation>田管库中还没有任何县的数据：请先一键赋码。</translation>
        </message>
        <message>
            <source>Cancelled: the batches sent so far are complete; publish again to send the rest.</source>
            <translation>已取消：已发送的批次完整保留；再次发布即发送其余部分。</translation>
        </message>
        <message>
            <source>Nothing was published: {n} space codes of this store contradict what the prefecture store holds (a published code keeps its group, number, coding time and run, and a retired code stays retired). Was the store rebuilt, or a coding run undone after it was published? Refresh this store from the prefecture store (从州库下载), or ask the prefecture's administrator.
{codes}</source>
            <translation>未发布任何内容：本库有 {n} 个空间码与州库记录矛盾（已发布的编码保持其所属社、序号、赋码时间与赋码批次不变，已注销的编码永远注销）。田管库是否重建过，或在发布后撤销了一次赋码？请从州库下载刷新本库，或联系州级管理员。
{codes}</translation>
        </message>
        <message>
            <source>The publish stopped: {error}</source>
            <translation>发布中止：{error}</translation>
        </message>
        <message>
            <source>Rows sent</source>
            <translation>发送行数</translation>
        </message>
        <message>
            <source>Rows added</source>
            <translation>新增行数</translation>
        </message>
        <message>
            <source>Rows updated</source>
            <translation>更新行数</translation>
        </message>
        <message>
            <source>Evidence files sent</source>
            <translation>发送举证文件数</translation>
        </message>
        <message>
            <source>Batches</source>
            <translation>批次数</translation>
        </message>
        <message>
            <source>Nothing changed since the last publish.</source>
            <translation>自上次发布以来没有变化。</translation>
        </message>
        <message>
            <source>Schema “{schema}” is not a prefecture store yet (version {version}, needs 6): ask the prefecture's administrator to set it up (州库建库与授权).</source>
            <translation>模式“{schema}”还不是州库（版本 {version}，需要 6）：请州级管理员先运行“州库建库与授权”。</translation>
        </message>
        <message>
            <source>The database role of this connection publishes {role_county}, but the store holds county {county}: use the connection of this county's desk, or ask the prefecture's administrator to grant the role this county.</source>
            <translation>此连接的数据库账号发布的是 {role_county}，而田管库是 {county} 县的：请使用本县的连接，或请州级管理员给该账号授权本县。</translation>
        </message>
        <message>
            <source>The store holds codes of several counties ({counties}): a store holds one county.</source>
            <translation>田管库中有多个县的编码（{counties}）：一个田管库只保存一个县。</translation>
        </message>
        <message>
            <source>{code}: published as {upstream}, here {desk}</source>
            <translation>{code}：州库中为 {upstream}，本库为 {desk}</translation>
        </message>
        <message>
            <source>{code}: retired in the prefecture store, active here</source>
            <translation>{code}：州库中已注销，本库中为现行</translation>
        </message>
        <message>
            <source>no county</source>
            <translation>无县</translation>
        </message>
        <message>
            <source>{table}: {done} of {total} rows sent</source>
            <translation>{table}：已发送 {done} / {total} 行</translation>
        </message>
        <message>
            <source>{table}: this store holds {desk} rows, the prefecture store only {upstream}: publish again; if it stays so, tell the prefecture's administrator.</source>
            <translation>{table}：本库有 {desk} 行，州库只有 {upstream} 行：请再次发布；仍不一致时请告知州级管理员。</translation>
        </message>
        <message>
            <source>Evidence file not sent: {problem}</source>
            <translation>举证文件未发送：{problem}</translation>
        </message>
        <message>
            <source>Publishing {store} to schema “{schema}” of connection “{name}”…</source>
            <translation>正在把 {store} 发布到连接“{name}”的模式“{schema}”……</translation>
        </message>
        <message>
            <source>{table}: {sent} sent ({added} added, {updated} updated); {upstream} in the prefecture store, {desk} in this store.</source>
            <translation>{table}：发送 {sent} 行（新增 {added}，更新 {updated}）；州库 {upstream} 行，本库 {desk} 行。</translation>
        </message>
        <message>
            <source>Download from the prefecture store</source>
            <translation>从州库下载</translation>
        </message>
        <message>
            <source>&lt;p&gt;从州库下载 · Makes a tianguan store from the prefecture's shared PostGIS store for a county (6 digits) or one township (9 digits): coded parcels with their lineage, the active patrol grid, the roster, tasks, patrols, tracks, coverage and change runs, evidence with its files, and the cases with their history — so a new analyst starts from the shared truth. The database role of the connection must be allowed to read that place.&lt;/p&gt;&lt;p&gt;A new store is written beside the target and put in place only when complete; an existing file is never overwritten. With “refresh”, an existing store of the county gets what is new or changed in the prefecture store instead; rows this desk changed since its last publish are kept as they are and listed. Either way the store is recorded as published: publishing it right away sends nothing.&lt;/p&gt;</source>
            <translation>&lt;p&gt;从州库下载：按县（6 位）或乡镇（9 位）从州级共享 PostGIS 库生成田管库——已赋码地块及其继承关系、当前巡田网格、花名册、巡田任务与记录、轨迹、覆盖与变化分析运行记录、举证材料及其文件、案件及其流转记录，新来的内业人员由此从全州共享的数据开始。连接的数据库账号须有权读取该地区。&lt;/p&gt;&lt;p&gt;新田管库先写在目标旁边，完整后才放到目标位置，绝不覆盖已有文件。勾选“刷新”时，改为把州库中新增或变化的内容写入本县已有的田管库；本机自上次发布以来改过的行保持不变并列出。两种方式都会记为已发布：随即发布不会发送任何内容。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Cancelled: nothing was written.</source>
            <translation>已取消：未写入任何内容。</translation>
        </message>
        <message>
            <source>County or township code</source>
            <translation>县或乡镇代码</translation>
        </message>
        <message>
            <source>The download stopped: {error}</source>
            <translation>下载中止：{error}</translation>
        </message>
        <message>
            <source>GeoPackage (*.gpkg)</source>
            <translation>GeoPackage（*.gpkg）</translation>
        </message>
        <message>
            <source>Refresh this existing store instead of making a new one</source>
            <translation>刷新此已有田管库（不新建）</translation>
        </message>
        <message>
            <source>Coordinate system of a new store (empty: the prefecture store's)</source>
            <translation>新田管库的坐标系（留空：与州库相同）</translation>
        </message>
        <message>
            <source>Rows written</source>
            <translation>写入行数</translation>
        </message>
        <message>
            <source>Rows kept as this desk has them</source>
            <translation>保留本机版本的行数</translation>
        </message>
        <message>
            <source>Cases written</source>
            <translation>写入案件数</translation>
        </message>
        <message>
            <source>Evidence files written</source>
            <translation>写入举证文件数</translation>
        </message>
        <message>
            <source>Give the county (6 digits) or township (9 digits) code to download.</source>
            <translation>请填写要下载的县（6 位）或乡镇（9 位）代码。</translation>
        </message>
        <message>
            <source>{path} exists already: choose a new file, or tick “refresh” to bring an existing store of the county up to date.</source>
            <translation>{path} 已存在：请另选一个新文件，或勾选“刷新”以更新本县已有的田管库。</translation>
        </message>
        <message>
            <source>{path} does not exist: there is nothing to refresh.</source>
            <translation>{path} 不存在：没有可刷新的田管库。</translation>
        </message>
        <message>
            <source>The prefecture store holds nothing of {place} that this connection's database role may read: check the code, or ask the prefecture's administrator for the role's scope.</source>
            <translation>州库中没有此连接的数据库账号可读取的 {place} 数据：请检查代码，或请州级管理员核对该账号的授权范围。</translation>
        </message>
        <message>
            <source>Schema “{schema}” is not a prefecture store yet: ask the prefecture's administrator to set it up (州库建库与授权).</source>
            <translation>模式“{schema}”还不是州库：请州级管理员先运行“州库建库与授权”。</translation>
        </message>
        <message>
            <source>{path} holds another county than {place}: refresh a store of the same county.</source>
            <translation>{path} 保存的不是 {place} 的数据：请刷新同一个县的田管库。</translation>
        </message>
        <message>
            <source>{path} is in another coordinate system than the one asked for: leave the coordinate system empty when refreshing.</source>
            <translation>{path} 的坐标系与所选坐标系不同：刷新时请将坐标系留空。</translation>
        </message>
        <message>
            <source>Downloading {place} from schema “{schema}” of connection “{name}” into {path}…</source>
            <translation>正在从连接“{name}”的模式“{schema}”下载 {place} 到 {path}……</translation>
        </message>
        <message>
            <source>The store {path} is ready: choose it as the tianguan store in the plugin's settings to work with it.</source>
            <translation>田管库 {path} 已就绪：在插件设置中选择它作为田管库即可使用。</translation>
        </message>
        <message>
            <source>{table}: {done} of {total} rows</source>
            <translation>{table}：{done} / {total} 行</translation>
        </message>
        <message>
            <source>Kept as this desk has it (changed here since the last publish): {table} {key}</source>
            <translation>保留本机版本（本机自上次发布以来修改过）：{table} {key}</translation>
        </message>
        <message>
            <source>Evidence file not written: {problem}</source>
            <translation>举证文件未写入：{problem}</translation>
        </message>
        <message>
            <source>{table}: {written} written, {kept} kept as this desk has them.</source>
            <translation>{table}：写入 {written} 行，保留本机版本 {kept} 行。</translation>
        </message>
        <message>
            <source>Set up the prefecture store</source>
            <translation>州库建库与授权</translation>
        </message>
        <message>
            <source>&lt;p&gt;州库建库与授权 · For the prefecture's database administrator: creates the shared schema, or upgrades it to the plugin's version (safe to run again), and gives an existing database role its scope — a county code (6 digits) makes the role that county's desk, which reads and publishes its county; the prefecture code 6229 a reader of every county; a township code (9 digits) a reader of that township. Row-level security in the database enforces the scopes.&lt;/p&gt;&lt;p&gt;The connection's role must own the schema or be its administrator (CREATEROLE, member of the schema's owner role). The coordinate system is the one all counties' geometry is kept in (CGCS2000 3-degree zone 34, EPSG:4522, holds the whole prefecture); it is fixed when the schema is created. Create the login roles and their passwords in the database itself (see the user guide, 州库共享).&lt;/p&gt;</source>
            <translation>&lt;p&gt;州库建库与授权：供州级数据库管理员使用。创建共享模式，或把它升级到插件的版本（可重复运行），并给已有的数据库账号授权范围——县代码（6 位）使该账号成为该县的账号，可读取并发布本县数据；州代码 6229 可读取所有县；乡镇代码（9 位）可读取该乡镇。范围由数据库的行级安全强制执行。&lt;/p&gt;&lt;p&gt;连接的账号须拥有该模式或是其管理员（CREATEROLE，且为模式属主角色的成员）。坐标系是各县几何统一保存所用的坐标系（CGCS2000 三度带第 34 带 EPSG:4522 覆盖全州），建库时确定。登录账号及其密码请在数据库中创建（见用户指南“州库共享”）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>PostgreSQL connection (administrator)</source>
            <translation>PostgreSQL 连接（管理员）</translation>
        </message>
        <message>
            <source>Coordinate system of the shared store</source>
            <translation>州库坐标系</translation>
        </message>
        <message>
            <source>Database role to grant (optional)</source>
            <translation>要授权的数据库账号（可选）</translation>
        </message>
        <message>
            <source>Its scope: county, prefecture (6229) or township code</source>
            <translation>授权范围：县、州（6229）或乡镇代码</translation>
        </message>
        <message>
            <source>Schema version</source>
            <translation>模式版本</translation>
        </message>
        <message>
            <source>Give both the database role and its scope, or neither.</source>
            <translation>数据库账号与授权范围要么都填，要么都不填。</translation>
        </message>
        <message>
            <source>Choose a projected EPSG coordinate system (e.g. EPSG:4522) for the shared store.</source>
            <translation>请为州库选择投影 EPSG 坐标系（例如 EPSG:4522）。</translation>
        </message>
        <message>
            <source>The prefecture store was not set up: {error}</source>
            <translation>州库未能建立：{error}</translation>
        </message>
        <message>
            <source>Scope “{scope}” is not a prefecture (4 digits), county (6) or township (9) code.</source>
            <translation>授权范围“{scope}”不是州（4 位）、县（6 位）或乡镇（9 位）代码。</translation>
        </message>
        <message>
            <source>Role “{role}” now has scope {scope}.</source>
            <translation>账号“{role}”的授权范围现为 {scope}。</translation>
        </message>
        <message>
            <source>Linxia farmland patrol (临夏州耕地保护网格化巡田)</source>
            <translation>临夏州耕地保护网格化巡田</translation>
        </message>
        <message>
            <source>3-degree Gauss-Krüger coordinates without the zone number</source>
            <translation>x 坐标不带带号的 3 度带高斯-克吕格坐标</translation>
        </message>
        <message>
            <source>longitude/latitude in degrees</source>
            <translation>以度为单位的经纬度</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no .cpg file; its attributes are read as {encoding}.</source>
            <translation>图层“{layer}”没有 .cpg 文件，属性按 {encoding} 编码读取。</translation>
        </message>
        <message>
            <source>Layer “{layer}” declares EPSG:{epsg} ({name}), but its coordinates are {looks} (x ≈ {x}): the layer's coordinate reference system is wrong. It is probably EPSG:{likely} ({likely_name}): assign it to the layer (Layer Properties → Source → Assigned CRS) and run again.</source>
            <translation>图层“{layer}”声明的坐标系为 EPSG:{epsg}（{name}），但其坐标是{looks}（x ≈ {x}）：图层的坐标系设置有误，很可能应为 EPSG:{likely}（{likely_name}）。请在“图层属性 → 源 → 指定的坐标参考系”中改为该坐标系后重新运行。</translation>
        </message>
        <message>
            <source>3-degree Gauss-Krüger coordinates with the zone number {zone} in x</source>
            <translation>x 坐标带第 {zone} 带带号的 3 度带高斯-克吕格坐标</translation>
        </message>
        <message>
            <source>Layer “{layer}” declares EPSG:{epsg} ({name}), but its coordinates are {looks} (x ≈ {x}): the layer's coordinate reference system is wrong. Assign it the CRS its coordinates were measured in and run again.</source>
            <translation>图层“{layer}”声明的坐标系为 EPSG:{epsg}（{name}），但其坐标是{looks}（x ≈ {x}）：图层的坐标系设置有误。请为图层指定其坐标实际所用的坐标系后重新运行。</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no field “{field}” ({meaning}). Check that the right layer was chosen, or name the field in the advanced parameters.</source>
            <translation>图层“{layer}”缺少字段“{field}”（{meaning}）。请检查是否选对了图层，或在高级参数中指定该字段。</translation>
        </message>
        <message>
            <source>Layer “{layer}”: field “{field}” stores land class codes as numbers ({type}); {n} codes were read as 4-character text, e.g. {before} → {after}. Store the codes as text to keep their leading zero.</source>
            <translation>图层“{layer}”的字段“{field}”以数值（{type}）存储地类编码；已将 {n} 个编码按 4 位文本读取，例如 {before} → {after}。请以文本型字段存储地类编码，以保留前导零。</translation>
        </message>
        <message>
            <source>Layer “{layer}”: {n} land class codes in field “{field}” were normalised (blanks, number formats, lower-case letters), e.g. “{before}” → “{after}”.</source>
            <translation>图层“{layer}”字段“{field}”中有 {n} 个地类编码已规范化（去除空格、数字格式、小写字母），例如“{before}”→“{after}”。</translation>
        </message>
        <message>
            <source>Overdue patrol tasks</source>
            <translation>巡田任务过期</translation>
        </message>
        <message>
            <source>Repeated failures</source>
            <translation>屡次未达标</translation>
        </message>
        <message>
            <source>Slow rectification</source>
            <translation>整改迟缓</translation>
        </message>
        <message>
            <source>Evidence overdue</source>
            <translation>举证超期</translation>
        </message>
        <message>
            <source>Monthly assessment</source>
            <translation>月度考核</translation>
        </message>
        <message>
            <source>Quarterly assessment</source>
            <translation>季度考核</translation>
        </message>
        <message>
            <source>Annual assessment</source>
            <translation>年度考核</translation>
        </message>
        <message>
            <source>Patrol assessment</source>
            <translation>巡田考核</translation>
        </message>
        <message>
            <source>&lt;p&gt;巡田考核 · Assesses every officer post of the active roster (levels 州 to 社) for a month, quarter or year: patrol frequency compliance (tasks due in the period done / done + overdue), coverage rate (the persisted coverage run), flagged tracks, evidence timeliness (已下发 → 已举证 within the deadline) and rectification time (执行中 → 已整改/已结案). A score out of 100 weighs them 40 / 30 / 10 / 10 / 10; components without data are left out and the others re-weighted.&lt;/p&gt;&lt;p&gt;Writes an Excel workbook with the sheets 考核明细 (per grid), 乡镇排名 (officers ranked in their township), 县区排名 (townships ranked by the mean score of their grids), 通报名单 (overdue tasks, repeated failures, slow rectification, overdue evidence), 分级汇总 and 考核说明. Figures are as of the end of the period (Beijing time), or now for the current period; ties share a rank.&lt;/p&gt;</source>
            <translation>&lt;p&gt;巡田考核：按月、季度或年度考核现行花名册中的每个田管员岗位（州至社）：巡田频次达标率（期内到期任务中已完成 ÷（已完成 + 已过期））、巡田覆盖率（已保存的覆盖分析结果）、存疑轨迹、举证及时率（已下发 → 已举证是否在期限内）和整改时效（执行中 → 已整改/已结案）。综合得分满分 100，权重依次为 40 / 30 / 10 / 10 / 10；无数据的项不计，其余按比例折算。&lt;/p&gt;&lt;p&gt;输出 Excel 工作簿，含工作表：考核明细（逐网格）、乡镇排名（乡镇内田管员排名）、县区排名（按所辖网格平均得分为乡镇排名）、通报名单（任务过期、屡次未达标、整改迟缓、举证超期）、分级汇总和考核说明。数据截至考核周期结束（北京时间），当前周期截至此刻；得分相同者并列。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>&lt;p&gt;Instead of the tianguan store, the prefecture's shared store may be read (Advanced: a saved PostgreSQL connection and its schema): a county's role assesses its county, the prefecture's role every county it reads.&lt;/p&gt;</source>
            <translation>&lt;p&gt;也可以不读田管库，而读取州级共享库（高级参数：已保存的 PostgreSQL 连接及其模式）：县级账号考核本县，州级账号考核其可读取的所有县。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Any day in the period (YYYY-MM-DD, Beijing; empty: today)</source>
            <translation>周期内任意一天（YYYY-MM-DD，北京时间；留空为今天）</translation>
        </message>
        <message>
            <source>Only grids under this county or township code</source>
            <translation>仅限此县区或乡镇代码下的网格</translation>
        </message>
        <message>
            <source>Assessment period</source>
            <translation>考核周期</translation>
        </message>
        <message>
            <source>Assessment workbook</source>
            <translation>考核表</translation>
        </message>
        <message>
            <source>Excel workbook (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <source>Grids assessed</source>
            <translation>考核网格数</translation>
        </message>
        <message>
            <source>Officers ranked</source>
            <translation>参与排名的田管员数</translation>
        </message>
        <message>
            <source>Townships ranked</source>
            <translation>参与排名的乡镇数</translation>
        </message>
        <message>
            <source>Rows of the notice list</source>
            <translation>通报名单行数</translation>
        </message>
        <message>
            <source>{grids} grids, {officers} officers and {townships} townships assessed; {notices} rows for the notice: {path}</source>
            <translation>已考核 {grids} 个网格、{officers} 名田管员、{townships} 个乡镇；通报名单 {notices} 行：{path}</translation>
        </message>
        <message>
            <source>prefecture store, schema “{schema}”</source>
            <translation>州库（模式“{schema}”）</translation>
        </message>
        <message>
            <source>Reading {store} for {first} to {last} …</source>
            <translation>正在读取 {store}（{first} 至 {last}）……</translation>
        </message>
        <message>
            <source>Write the assessment to a .xlsx file, not “{path}”.</source>
            <translation>考核表须写为 .xlsx 文件，而不是“{path}”。</translation>
        </message>
        <message>
            <source>The {store} holds no officer post of an active roster that this connection's role may read{under}: the counties publish their rosters first (发布到州库).</source>
            <translation>{store}中没有本连接的数据库账号可读取的现行花名册田管员岗位{under}：请各县先发布花名册（发布到州库）。</translation>
        </message>
        <message>
            <source>The tianguan store {path} has no officer post in its active roster (table tg_officer){under}: import the officer roster first.</source>
            <translation>田管库 {path} 的现行花名册（表 tg_officer）中没有田管员岗位{under}：请先导入田管员花名册。</translation>
        </message>
        <message>
            <source>The {store} holds no patrol task due from {first} to {last} for the rosters' grids: the counties dispatch and publish the tasks of the period first.</source>
            <translation>{store}中没有花名册网格在 {first} 至 {last} 期间到期的巡田任务：请各县先下发本期任务并发布到州库。</translation>
        </message>
        <message>
            <source>The tianguan store {path} has no patrol task due from {first} to {last} for the roster's grids (table tg_task): dispatch the tasks of the period first.</source>
            <translation>田管库 {path} 中花名册所列网格在 {first} 至 {last} 没有到期的巡田任务（表 tg_task）：请先下发该周期的巡田任务。</translation>
        </message>
        <message>
            <source>Level {level}: {done} of {decided} tasks done ({overdue} overdue).</source>
            <translation>{level}级：{decided} 项任务中已完成 {done} 项（已过期 {overdue} 项）。</translation>
        </message>
        <message>
            <source>“{value}” is not a date (YYYY-MM-DD).</source>
            <translation>“{value}”不是日期（YYYY-MM-DD）。</translation>
        </message>
        <message>
            <source>{label}: {count} grids</source>
            <translation>{label}：{count} 个网格</translation>
        </message>
        <message>
            <source>Export dashboard report</source>
            <translation>导出驾驶舱报告</translation>
        </message>
        <message>
            <source>&lt;p&gt;Instead of the tianguan store, the prefecture's shared store may be read (Advanced: a saved PostgreSQL connection and its schema): a county's role gives its county's report, the prefecture's role with an empty code or 6229 the whole prefecture's.&lt;/p&gt;</source>
            <translation>&lt;p&gt;也可以不读田管库，而读取州级共享库（高级参数：已保存的 PostgreSQL 连接及其模式）：县级账号得到本县的报告，州级账号在代码为空或为 6229 时得到全州的报告。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>First day (YYYY-MM-DD; empty: from the start)</source>
            <translation>首日（YYYY-MM-DD；留空：不限）</translation>
        </message>
        <message>
            <source>Last day (YYYY-MM-DD; empty: to the end)</source>
            <translation>末日（YYYY-MM-DD；留空：不限）</translation>
        </message>
        <message>
            <source>Statuses as of (YYYY-MM-DD; empty: today)</source>
            <translation>状态计算日期（YYYY-MM-DD；留空：今天）</translation>
        </message>
        <message>
            <source>&lt;p&gt;导出驾驶舱报告 · Writes the farmland-protection dashboard of the tianguan store as a report: a PDF with one page per panel (chart and table) and, optionally, one PNG chart per panel, and an XLSX workbook with one sheet per table. Panels: patrol tasks per month (done, not done, overdue), patrol coverage rate (of the latest coverage run overlapping the period), officers per level and area, cases by state and class, the township ranking of cases (by count, area and closure time), rectification timeliness, farmland and permanent basic farmland per township against their targets, and farmland across survey years with the prefecture's red lines (369.51 and 304.85 10k mu).&lt;/p&gt;&lt;p&gt;Restrict to a county or township by its code and to a period (Beijing dates, both ends included; tasks count in the month they fall due, cases in the period they were detected). Statuses are computed at the end of the given day (default: today). Township targets are an optional CSV: code, farmland mu, permanent basic farmland mu. The store is only read.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导出驾驶舱报告：将田管库的领导田管驾驶舱写成报告：PDF 每个面板一页（图表与表格），可选每个面板一张 PNG 图表，以及每个表格一个工作表的 XLSX 工作簿。面板包括：每月巡田任务（已完成、未完成、已过期）、巡田覆盖率（取与时段重叠的最近一次覆盖分析）、各级各区域田管员数量、案件状态与类型、乡镇案件排名（按案件数、面积与结案时长）、整改及时性、各乡镇耕地与永久基本农田及其目标，以及各调查年度耕地面积趋势并标出州红线（369.51 万亩与 304.85 万亩）。&lt;/p&gt;&lt;p&gt;可按县或乡镇编码与时段（北京时间日期，含首尾两日；任务按到期所在月份计，案件按发现时间计）筛选。状态按所给日期的日终计算（默认今天）。乡镇目标为可选的 CSV：编码、耕地亩数、永久基本农田亩数。只读取田管库，不作修改。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>&lt;p&gt;Survey years: the official totals imported with 导入变更调查数据 (import_survey_totals) are shown for their years as imported (solid markers); the other years are the coded survey and the years derived from the change cases (hollow markers: bounds).&lt;/p&gt;</source>
            <translation>&lt;p&gt;历年耕地：用“导入变更调查数据”（import_survey_totals）导入的正式汇总数在其年度显示为导入值（实心点）；其余年度为赋码年度和由变化案件推算的年度（空心点：上限或下限）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Township targets (CSV: code, farmland mu, basic farmland mu)</source>
            <translation>乡镇目标（CSV：编码、耕地亩数、永久基本农田亩数）</translation>
        </message>
        <message>
            <source>Report (PDF)</source>
            <translation>报告（PDF）</translation>
        </message>
        <message>
            <source>PDF files (*.pdf)</source>
            <translation>PDF 文件 (*.pdf)</translation>
        </message>
        <message>
            <source>Tables (XLSX)</source>
            <translation>表格（XLSX）</translation>
        </message>
        <message>
            <source>Excel workbooks (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <source>Charts (PNG folder)</source>
            <translation>图表（PNG 文件夹）</translation>
        </message>
        <message>
            <source>Report pages</source>
            <translation>报告页数</translation>
        </message>
        <message>
            <source>Give at least one output: the PDF report, the XLSX tables or the PNG folder.</source>
            <translation>请至少指定一个输出：PDF 报告、XLSX 表格或 PNG 文件夹。</translation>
        </message>
        <message>
            <source>{title}: {rows} rows</source>
            <translation>{title}：{rows} 行</translation>
        </message>
        <message>
            <source>Cannot read the tianguan store {path}: {error}</source>
            <translation>无法读取田管库 {path}：{error}</translation>
        </message>
        <message>
            <source>Cannot write the report: {error}</source>
            <translation>无法写出报告：{error}</translation>
        </message>
        <message>
            <source>Areas: farmland after 田坎 (KCXS), in mu</source>
            <translation>面积：扣除田坎（KCXS）后的耕地面积，单位亩</translation>
        </message>
        <message>
            <source>Ledger patches</source>
            <translation>台账图斑</translation>
        </message>
        <message>
            <source>Extent of the surveys</source>
            <translation>地类图斑范围</translation>
        </message>
        <message>
            <source>Ledger figures</source>
            <translation>台账数据表</translation>
        </message>
        <message>
            <source>km</source>
            <translation>千米</translation>
        </message>
        <message>
            <source>Farmland balance ledgers</source>
            <translation>耕地平衡台账</translation>
        </message>
        <message>
            <source>Data: survey year not given</source>
            <translation>数据年度：未注明</translation>
        </message>
        <message>
            <source>&lt;p&gt;耕地平衡台账 · The 耕地进出平衡 and 占补平衡 ledgers of a year, per county and township, from the previous survey (三调 or last year's 变更 DLTB) and this year's annual-change survey (变更 DLTB): 进 = other agricultural land (orchard, forest, grass, facility land, ponds, ditches, rural roads, 田坎) turned into farmland, 出 = farmland turned into other agricultural land, 进出差 = 进 − 出; 占 = farmland occupied by construction (the 非农化 classes of the change rules), 补 = new farmland from construction, unused land or water, 占补差 = 补 − 占. Farmland turned into water or unused land is counted as 其他减少, so that the entries add up to the change of farmland.&lt;/p&gt;&lt;p&gt;The surveys are compared as the change analysis compares them (unchanged patches skipped, pairs by BSM), without its minimum areas: every square metre counts. Areas are farmland areas: the part's area less 田坎 (KCXS of the farmland patch), in m² and mu.&lt;/p&gt;&lt;p&gt;Writes every part behind the figures as a layer (classes before and after, patch ids, ledger, areas) and an Excel workbook with the sheets 汇总, 图斑明细 (numbered as the layer's XH) and 说明.&lt;/p&gt;</source>
            <translation>&lt;p&gt;耕地平衡台账 · 由上一年度调查（三调或上年度变更地类图斑）与本年度变更调查地类图斑，按县区、乡镇统计本年度的耕地进出平衡与占补平衡台账：进 = 其他农用地（园地、林地、草地、设施农用地、坑塘、沟渠、农村道路、田坎）转为耕地，出 = 耕地转为其他农用地，进出差 = 进 − 出；占 = 建设占用耕地（变化规则中的非农化地类），补 = 由建设用地、未利用地或水域新增的耕地，占补差 = 补 − 占。耕地转为水域或未利用地计为“其他减少”，使各项增减合计等于耕地面积的变化。&lt;/p&gt;&lt;p&gt;两年度的比对方式与变化图斑提取相同（未变化图斑跳过，按标识码配对），但不设最小面积：每一平方米都计入。面积为耕地面积：图斑面积扣除田坎（耕地一侧图斑的扣除系数 KCXS），单位平方米和亩。&lt;/p&gt;&lt;p&gt;输出每项数字背后的图斑（前后地类、图斑标识码、台账、面积）图层，以及 Excel 工作簿（汇总、图斑明细（序号与图层 XH 一致）、说明三张表）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>&lt;p&gt;Optionally also a PDF map (A3 landscape): the parts coloured by ledger (进, 出, 占, 补) within the outline of the surveys' extent, with legend, scale bar, north arrow, the county's 进/出/进出差/占/补/占补差 in mu and the ledger year. It needs an installed Chinese font.&lt;/p&gt;</source>
            <translation>&lt;p&gt;还可输出 PDF 台账图（A3 横版）：台账图斑按进、出、占、补分色，外框为两年度地类图斑的范围，附图例、比例尺、指北针、全县进/出/进出差/占/补/占补差（亩）和台账年度。需安装中文字体。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>{county} farmland in-out and occupation-supplement balance map</source>
            <translation>{county} 耕地进出平衡与占补平衡图</translation>
        </message>
        <message>
            <source>{county} {year} farmland in-out and occupation-supplement balance map</source>
            <translation>{county} {year} 耕地进出平衡与占补平衡图</translation>
        </message>
        <message>
            <source>Previous survey: {before}; this year's survey: {after}</source>
            <translation>上一年度：{before}；本年度：{after}</translation>
        </message>
        <message>
            <source>Coordinate system: {crs}</source>
            <translation>坐标系：{crs}</translation>
        </message>
        <message>
            <source>Previous land-use survey (三调 or last year's DLTB)</source>
            <translation>上一年度地类图斑（三调或上年度变更 DLTB）</translation>
        </message>
        <message>
            <source>This year's land-use survey (年度变更 DLTB)</source>
            <translation>本年度地类图斑（年度变更 DLTB）</translation>
        </message>
        <message>
            <source>Ledger year (empty: the survey year SJNF of this year's survey)</source>
            <translation>台账年度（留空：取本年度图斑的数据年份 SJNF）</translation>
        </message>
        <message>
            <source>Ledger workbook</source>
            <translation>台账工作簿</translation>
        </message>
        <message>
            <source>Ledger map (PDF)</source>
            <translation>台账图（PDF）</translation>
        </message>
        <message>
            <source>进 (mu)</source>
            <translation>进（亩）</translation>
        </message>
        <message>
            <source>出 (mu)</source>
            <translation>出（亩）</translation>
        </message>
        <message>
            <source>占 (mu)</source>
            <translation>占（亩）</translation>
        </message>
        <message>
            <source>补 (mu)</source>
            <translation>补（亩）</translation>
        </message>
        <message>
            <source>Choose both land-use surveys (DLTB).</source>
            <translation>请选择两个年度的地类图斑（DLTB）。</translation>
        </message>
        <message>
            <source>This year's survey has no survey year (SJNF) and no ledger year was given: the ledgers are written without a year.</source>
            <translation>本年度地类图斑没有数据年份（SJNF），也未填写台账年度：台账不写年度。</translation>
        </message>
        <message>
            <source>Printing the ledger map…</source>
            <translation>正在输出台账图…</translation>
        </message>
        <message>
            <source>Data: survey year {year}</source>
            <translation>数据年度：{year}</translation>
        </message>
        <message>
            <source>survey year</source>
            <translation>数据年份</translation>
        </message>
        <message>
            <source>Farmland ledgers{year}: 进 {in_mu:.2f} mu, 出 {out_mu:.2f} mu (进出差 {io:.2f}); 占 {occ_mu:.2f} mu, 补 {sup_mu:.2f} mu (占补差 {os:.2f}); other loss {other:.2f} mu; {n} parts.</source>
            <translation>耕地平衡台账{year}：进 {in_mu:.2f} 亩，出 {out_mu:.2f} 亩（进出差 {io:.2f}）；占 {occ_mu:.2f} 亩，补 {sup_mu:.2f} 亩（占补差 {os:.2f}）；其他减少 {other:.2f} 亩；共 {n} 个图斑。</translation>
        </message>
        <message>
            <source>Write the ledgers to a .xlsx file, not “{path}”.</source>
            <translation>台账须写入 .xlsx 文件，而不是“{path}”。</translation>
        </message>
        <message>
            <source>Write the ledger map to a .pdf file, not “{path}”.</source>
            <translation>台账图须写入 .pdf 文件，而不是“{path}”。</translation>
        </message>
        <message>
            <source>The ledgers do not add up to the change of farmland area ({entries:.2f} m² against {surveys:.2f} m²): the two surveys do not cover the same land, or a survey has overlapping patches.</source>
            <translation>台账各项增减合计与耕地面积变化不符（{entries:.2f} 平方米，耕地面积变化 {surveys:.2f} 平方米）：两个年度的图斑范围不同，或某一年度的图斑相互重叠。</translation>
        </message>
        <message>
            <source>Ledger workbook written: {path}</source>
            <translation>台账工作簿已写出：{path}</translation>
        </message>
        <message>
            <source>Ledger map written: {path}</source>
            <translation>台账图已写出：{path}</translation>
        </message>
        <message>
            <source>the row has no code. Fill in 行政区代码 (the county's 6 or the township's 9 digits).</source>
            <translation>该行没有代码。请填写行政区代码（县 6 位或乡镇 9 位）。</translation>
        </message>
        <message>
            <source>“{value}” is not a county or township code (6 or 9 digits, e.g. 622921 or 622921100).</source>
            <translation>“{value}”不是县或乡镇代码（6 位或 9 位数字，例如 622921 或 622921100）。</translation>
        </message>
        <message>
            <source>{value} is not a county or township of Linxia prefecture in the administrative divisions. Check the code.</source>
            <translation>{value} 不是行政区划中临夏州的县或乡镇，请核对代码。</translation>
        </message>
        <message>
            <source>{value} is not in this store's county ({counties}). Import each county's totals into its own store.</source>
            <translation>{value} 不属于本田管库所在的县（{counties}）。请把各县的数据导入各自的田管库。</translation>
        </message>
        <message>
            <source>the row has no year. Fill in 年份, e.g. 2024.</source>
            <translation>该行没有年份。请填写年份，例如 2024。</translation>
        </message>
        <message>
            <source>“{value}” is not a survey year between {first} and {last}.</source>
            <translation>“{value}”不是 {first} 至 {last} 之间的调查年度。</translation>
        </message>
        <message>
            <source>{code} {year} is already in row {other}. Keep one row per place and year.</source>
            <translation>{code} {year} 年已在第 {other} 行。每个行政区每年只保留一行。</translation>
        </message>
        <message>
            <source>the row has no farmland area. Fill in 耕地面积.</source>
            <translation>该行没有耕地面积。请填写耕地面积。</translation>
        </message>
        <message>
            <source>“{value}” is not an area (a number, not negative).</source>
            <translation>“{value}”不是面积（应为不小于 0 的数字）。</translation>
        </message>
        <message>
            <source>permanent basic farmland {basic} is more than the farmland {farm}: are the columns swapped?</source>
            <translation>永久基本农田 {basic} 大于耕地 {farm}：两列是否填反了？</translation>
        </message>
        <message>
            <source>Import annual change survey totals</source>
            <translation>导入变更调查数据</translation>
        </message>
        <message>
            <source>&lt;p&gt;导入变更调查数据 · Keeps the official farmland totals of each annual change survey (变更调查) per county or township, from a table (CSV from Excel in UTF-8 or GBK, or an Excel workbook). The dashboard's trend across survey years shows these years as imported figures; the years they leave open are still derived from the coded parcels and the change runs.&lt;/p&gt;&lt;p&gt;Columns (Chinese or English): 行政区代码 code (the county's 6 or the township's 9 digits), 年份 year, 耕地面积 farmland, 永久基本农田面积 basic_farmland (may be empty), 数据来源 source (may be left out). Areas are in the unit chosen, unless a header names its own, e.g. 耕地面积(亩), 耕地面积(公顷), 耕地面积(平方米).&lt;/p&gt;&lt;p&gt;Rows that cannot be used are listed with their row and column and skipped. A year imported again replaces that year's figures; the previous ones stay in the store's history. Preview writes nothing and says how many years would be replaced.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导入变更调查数据 · 把每年变更调查的县、乡镇耕地正式汇总数从表格（Excel 另存的 UTF-8 或 GBK 编码 CSV，或 Excel 工作簿）导入田管库。驾驶舱的历年耕地趋势对这些年度显示导入值；其余年度仍由赋码地块和变化分析推算。&lt;/p&gt;&lt;p&gt;列（中文或英文表头）：行政区代码 code（县 6 位或乡镇 9 位）、年份 year、耕地面积 farmland、永久基本农田面积 basic_farmland（可空）、数据来源 source（可省）。面积按所选单位读取，表头自带单位时以表头为准，例如 耕地面积(亩)、耕地面积(公顷)、耕地面积(平方米)。&lt;/p&gt;&lt;p&gt;不能使用的行按行号和列名列出并跳过。同一年度再次导入会替换该年度的数字，原数字保存在田管库的历史中。仅预览时不写入，只报告将替换多少个年度。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Preview of {name}: {added} rows would be added, {replaced} replaced (years {years}), {unchanged} are unchanged; {refused} rows refused. Nothing was written.</source>
            <translation>{name} 预览：将新增 {added} 行，替换 {replaced} 行（年度 {years}），{unchanged} 行不变；拒绝 {refused} 行。未写入任何内容。</translation>
        </message>
        <message>
            <source>{name}: {added} rows added, {replaced} replaced (years {years}), {unchanged} unchanged; {refused} rows refused.</source>
            <translation>{name}：新增 {added} 行，替换 {replaced} 行（年度 {years}），{unchanged} 行不变；拒绝 {refused} 行。</translation>
        </message>
        <message>
            <source>Survey totals table (.csv or .xlsx)</source>
            <translation>变更调查汇总表（.csv 或 .xlsx）</translation>
        </message>
        <message>
            <source>Unit of the areas (unless a header names one)</source>
            <translation>面积单位（表头注明单位时以表头为准）</translation>
        </message>
        <message>
            <source>Survey name (empty: the file's name)</source>
            <translation>调查名称（留空：文件名）</translation>
        </message>
        <message>
            <source>Preview only (write nothing)</source>
            <translation>仅预览（不写入）</translation>
        </message>
        <message>
            <source>Rows read</source>
            <translation>读取行数</translation>
        </message>
        <message>
            <source>Rows replaced</source>
            <translation>替换行数</translation>
        </message>
        <message>
            <source>Rows unchanged</source>
            <translation>未变行数</translation>
        </message>
        <message>
            <source>Survey years in the table</source>
            <translation>表中调查年度数</translation>
        </message>
        <message>
            <source>Survey years replaced</source>
            <translation>替换的调查年度数</translation>
        </message>
        <message>
            <source>it has no column {columns}. The header row must name 行政区代码, 年份, 耕地面积 and optionally 永久基本农田面积 (or code, year, farmland, basic_farmland); a unit may follow a header, e.g. 耕地面积(亩).</source>
            <translation>缺少列 {columns}。表头行须有 行政区代码、年份、耕地面积，可选 永久基本农田面积（或 code、year、farmland、basic_farmland）；表头后可注明单位，例如 耕地面积(亩)。</translation>
        </message>
        <message>
            <source>Survey totals table (*.csv *.xlsx *.CSV *.XLSX)</source>
            <translation>变更调查汇总表 (*.csv *.xlsx *.CSV *.XLSX)</translation>
        </message>
        <message>
            <source>{name}: farmland read in {farm}, permanent basic farmland in {basic}.</source>
            <translation>{name}：耕地面积按{farm}读取，永久基本农田面积按{basic}读取。</translation>
        </message>
        <message>
            <source>{year}: farmland {farm:.2f} mu, permanent basic farmland {basic:.2f} mu ({source})</source>
            <translation>{year} 年：耕地 {farm:.2f} 亩，永久基本农田 {basic:.2f} 亩（{source}）</translation>
        </message>
        <message>
            <source>{file} cannot be read as survey totals: {reason}</source>
            <translation>{file} 无法作为变更调查汇总表读取：{reason}</translation>
        </message>
        <message>
            <source>QR warning-post labels</source>
            <translation>生成二维码标识</translation>
        </message>
        <message>
            <source>&lt;p&gt;生成二维码标识 · For the chosen active coded parcels — space codes or a prefix (a village, a group, or whole codes separated by commas), a parcel layer (its selected features when “selected features only” is ticked; the space-code field is KJM or code unless chosen), or both — writes one QR code per parcel (its space-code URL, SVG and PNG) and a printable PDF sheet of labels (A4, 3 × 7): QR code, space code, village and group, farmland area in mu, the permanent basic farmland mark, the responsible officer and the reporting phone.&lt;/p&gt;&lt;p&gt;With “Warning signs per group”, also writes 警示牌.pdf: one A4 landscape sign per group of the chosen parcels, with the group's names and code, its parcel count, farmland and permanent basic farmland area in mu, the group officer and phone, the reporting phone, a large QR code of the group's URL and a small map of its parcels.&lt;/p&gt;&lt;p&gt;With a 码上查 site folder, also writes a static website of the same parcels: one page per parcel at the address its QR code holds (code, township, village and group, areas in mu, the permanent basic farmland mark, the officer and phone, the reporting phone, the date), one page per group and an index. Publish the folder's contents on any web server at the address the run reports. The folder must be new, empty or an earlier site, which is replaced only once the new one is complete.&lt;/p&gt;</source>
            <translation>&lt;p&gt;生成二维码标识 · 对选定的现行已赋码地块——空间码或码前缀（村、社，或以逗号分隔的完整空间码）、地块图层（勾选“仅选中要素”时为其选中要素；空间码字段默认取 KJM 或 code，也可指定），或二者兼用——为每块地生成一个二维码（其空间码网址，SVG 与 PNG），并生成可打印的 PDF 标签页（A4，3 × 7）：二维码、空间码、村组、耕地面积（亩）、永久基本农田标记、责任田管员与举报电话。&lt;/p&gt;&lt;p&gt;勾选“按社生成警示牌”时另写出 警示牌.pdf：选定地块所在的每个社一页 A4 横版警示牌，含社名称与代码、地块数、耕地与永久基本农田面积（亩）、社级田管员及电话、举报电话、社网址的大二维码与该社地块小图。&lt;/p&gt;&lt;p&gt;指定码上查站点文件夹时，另为同一批地块写出静态网站：每块地一个页面，位于其二维码中的网址（空间码、乡镇村社、面积（亩）、永久基本农田标记、田管员及电话、举报电话、生成日期），每个社一个页面，另有首页。把该文件夹的内容发布到任意网站服务器上运行结果所报告的地址即可。该文件夹须为新的、空的或以前写出的站点；旧站点只在新站点全部写好后才被替换。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Date shown on the 码上查 pages (empty: today)</source>
            <translation>码上查页面上的日期（留空：今天）</translation>
        </message>
        <message>
            <source>Writing the 码上查 site…</source>
            <translation>正在写出码上查站点…</translation>
        </message>
        <message>
            <source>Farmland protection warning signs</source>
            <translation>耕地保护警示牌</translation>
        </message>
        <message>
            <source>The label sheet could not be written to {pdf} (error {code}).</source>
            <translation>无法写入标签页 {pdf}（错误 {code}）。</translation>
        </message>
        <message>
            <source>The 码上查 site folder {site} must not be the output folder or contain it: choose a folder of its own.</source>
            <translation>码上查站点文件夹 {site} 不能是输出文件夹，也不能包含输出文件夹：请另选一个单独的文件夹。</translation>
        </message>
        <message>
            <source>The 码上查 site folder {site} is a file: choose a folder.</source>
            <translation>码上查站点文件夹 {site} 是一个文件：请选择文件夹。</translation>
        </message>
        <message>
            <source>The 码上查 site folder {site} is not empty and holds no site written by this tool: choose a new or empty folder (an earlier 码上查 site in it is replaced).</source>
            <translation>码上查站点文件夹 {site} 不是空文件夹，其中也不是本工具写出的站点：请选择新的或空的文件夹（其中已有的码上查站点会被替换）。</translation>
        </message>
        <message>
            <source>Space codes or a prefix (village 12 / group 14 digits; several separated by commas)</source>
            <translation>空间码或前缀（村 12 位 / 社 14 位；多个以逗号分隔）</translation>
        </message>
        <message>
            <source>Coded parcels (selected features only is honoured)</source>
            <translation>已赋码地块（支持仅选中要素）</translation>
        </message>
        <message>
            <source>Space-code field (KJM or code when empty)</source>
            <translation>空间码字段（留空则取 KJM 或 code）</translation>
        </message>
        <message>
            <source>Reporting phone on the labels</source>
            <translation>标签上的举报电话</translation>
        </message>
        <message>
            <source>Warning signs per group (警示牌.pdf)</source>
            <translation>按社生成警示牌（警示牌.pdf）</translation>
        </message>
        <message>
            <source>Output folder</source>
            <translation>输出文件夹</translation>
        </message>
        <message>
            <source>码上查 static site folder (optional; an earlier site in it is replaced)</source>
            <translation>码上查静态站点文件夹（可选；其中已有的站点会被替换）</translation>
        </message>
        <message>
            <source>Labels</source>
            <translation>标签数</translation>
        </message>
        <message>
            <source>Label sheet (PDF)</source>
            <translation>标签页（PDF）</translation>
        </message>
        <message>
            <source>Warning signs</source>
            <translation>警示牌数</translation>
        </message>
        <message>
            <source>Warning signs (PDF)</source>
            <translation>警示牌（PDF）</translation>
        </message>
        <message>
            <source>码上查 pages</source>
            <translation>码上查页面数</translation>
        </message>
        <message>
            <source>Give space codes or a code prefix (digits), e.g. 622921100001.</source>
            <translation>请输入空间码或编码前缀（数字），例如 622921100001。</translation>
        </message>
        <message>
            <source>Give space codes or a code prefix (digits), or a layer of coded parcels, e.g. 622921100001.</source>
            <translation>请给出空间码或码前缀（数字），或已赋码地块图层，例如 622921100001。</translation>
        </message>
        <message>
            <source>Writing the warning signs…</source>
            <translation>正在生成警示牌…</translation>
        </message>
        <message>
            <source>The parcels' QR codes hold no web address, so scanning a label cannot open its page: code the parcels with a QR URL template to link them.</source>
            <translation>地块二维码中没有网址，扫描标签无法打开其页面：请用二维码网址模板为地块赋码，使二维码与页面对应。</translation>
        </message>
        <message>
            <source>The warning signs could not be written to {pdf} (error {code}).</source>
            <translation>无法写出警示牌 {pdf}（错误 {code}）。</translation>
        </message>
        <message>
            <source>Farmland space code</source>
            <translation>耕地空间码</translation>
        </message>
        <message>
            <source>No feature of the layer carries a space code active in the store.</source>
            <translation>图层中没有要素带有田管库中现行的空间码。</translation>
        </message>
        <message>
            <source>{n} labels on {pages} pages: {pdf}</source>
            <translation>共 {n} 个标签，{pages} 页：{pdf}</translation>
        </message>
        <message>
            <source>码上查 site: {pages} pages ({parcels} parcels, {groups} groups) in {folder}. Publish the folder's contents at {base} so that the labels' QR codes open them.</source>
            <translation>码上查站点：{folder} 中共 {pages} 个页面（{parcels} 块地、{groups} 个社）。请把该文件夹的内容发布到 {base}，扫描标签二维码即可打开对应页面。</translation>
        </message>
        <message>
            <source>Permanent basic farmland protection warning sign</source>
            <translation>永久基本农田保护警示牌</translation>
        </message>
        <message>
            <source>Farmland protection warning sign</source>
            <translation>耕地保护警示牌</translation>
        </message>
        <message>
            <source>Scan for the group's parcels</source>
            <translation>扫码查看本社地块</translation>
        </message>
        <message>
            <source>Farmland is protected by law: building, digging sand, quarrying, taking soil and dumping waste on it are prohibited. Report illegal occupation to the number above.</source>
            <translation>耕地受法律保护，严禁在耕地上建房、挖沙、采石、取土、堆放固体废弃物。发现违法占用耕地请拨打上方电话举报。</translation>
        </message>
        <message>
            <source>Permanent basic farmland</source>
            <translation>永久基本农田</translation>
        </message>
        <message>
            <source>Layer “{layer}” has no space-code field ({fields}): choose it.</source>
            <translation>图层“{layer}”没有空间码字段（{fields}），请指定。</translation>
        </message>
        <message>
            <source>No active coded parcel matches {codes}.</source>
            <translation>没有与 {codes} 匹配的现行赋码地块。</translation>
        </message>
        <message>
            <source>{n} warning signs: {pdf}</source>
            <translation>{n} 块警示牌：{pdf}</translation>
        </message>
        <message>
            <source>Parcels of the group (dark: permanent basic farmland)</source>
            <translation>本社地块（深色为永久基本农田）</translation>
        </message>
        <message>
            <source>Farmland {mu:.2f} mu</source>
            <translation>耕地 {mu:.2f} 亩</translation>
        </message>
        <message>
            <source>Officer: {name}</source>
            <translation>田管员：{name}</translation>
        </message>
        <message>
            <source>Report: {phone}</source>
            <translation>举报电话：{phone}</translation>
        </message>
        <message>
            <source>{n} codes of the layer are not active in the store: no label for them.</source>
            <translation>图层中有 {n} 个空间码在田管库中不是现行码，未为其生成标签。</translation>
        </message>
        <message>
            <source>{n} parcels' QR codes do not point into the site ({base}): their pages are written, but scanning their labels will not open them.</source>
            <translation>{n} 块地的二维码不指向本站（{base}）：已写出其页面，但扫描其标签打不开这些页面。</translation>
        </message>
        <message>
            <source>Group code: {code}</source>
            <translation>社代码：{code}</translation>
        </message>
        <message>
            <source>Parcels: {n}</source>
            <translation>地块数：{n}</translation>
        </message>
        <message>
            <source>Permanent basic farmland {mu:.2f} mu</source>
            <translation>永久基本农田 {mu:.2f} 亩</translation>
        </message>
        <message>
            <source>Responsible officer: {name}</source>
            <translation>责任田管员：{name}</translation>
        </message>
        <message>
            <source>Officer's phone: {phone}</source>
            <translation>田管员电话：{phone}</translation>
        </message>
        <message>
            <source>No data</source>
            <translation>无数据</translation>
        </message>
        <message>
            <source>Export statistics map</source>
            <translation>导出统计专题图</translation>
        </message>
        <message>
            <source>Patrol coverage of farmland</source>
            <translation>耕地巡田覆盖率</translation>
        </message>
        <message>
            <source>Problem change cases</source>
            <translation>问题图斑数</translation>
        </message>
        <message>
            <source>Area of problem changes</source>
            <translation>问题图斑面积</translation>
        </message>
        <message>
            <source>Rectification rate</source>
            <translation>整改率</translation>
        </message>
        <message>
            <source>cases</source>
            <translation>件</translation>
        </message>
        <message>
            <source>mu</source>
            <translation>亩</translation>
        </message>
        <message>
            <source>{value} mu</source>
            <translation>{value} 亩</translation>
        </message>
        <message>
            <source>{low} – {high} mu</source>
            <translation>{low}–{high} 亩</translation>
        </message>
        <message>
            <source>&lt;p&gt;导出统计专题图 · A map of the county's townships coloured by one indicator — patrol coverage of farmland (the latest patrol-coverage run of the period), problem change cases (suspected illegal and to be verified), their area in mu, or the rectification rate — in 5 classes, with title, legend, scale bar, north arrow, county name, date and data source, from the bundled layout templates. Written to PDF (and PNG if asked); with the atlas also one page per township (&lt;i&gt;name&lt;/i&gt;_atlas.pdf, and one PNG per township). The figures are those of the dashboard. With “Add the layouts to the project” they open in the layout designer for editing.&lt;/p&gt;</source>
            <translation>&lt;p&gt;导出统计专题图：按所选指标——耕地巡田覆盖率（统计时段内最近一次巡田覆盖分析）、问题图斑数（疑似违法与需外业核实）、问题图斑面积（亩）或整改率——将全县各乡镇分 5 级着色，附标题、图例、比例尺、指北针、县名、制图日期与数据来源，版式取自插件自带的模板。输出 PDF（可另出 PNG）；勾选图集时另按乡镇每乡一页输出（&lt;i&gt;文件名&lt;/i&gt;_atlas.pdf，并每乡一张 PNG）。数据与领导驾驶舱一致。勾选“将版式加入工程”后，可在 QGIS 版式设计器中打开编辑。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>&lt;p&gt;Instead of the tianguan store, the prefecture's shared store may be read (Advanced: a saved PostgreSQL connection and its schema): the townships are those of the published grids, and the prefecture's role with no code (or 6229) maps every county's townships.&lt;/p&gt;</source>
            <translation>&lt;p&gt;也可以不读田管库，而读取州级共享库（高级参数：已保存的 PostgreSQL 连接及其模式）：乡镇取自各县已发布的巡田网格；州级账号在代码为空（或为 6229）时制作全州各县所有乡镇的专题图。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>Period from (YYYY-MM-DD)</source>
            <translation>统计时段起（YYYY-MM-DD）</translation>
        </message>
        <message>
            <source>Period to (YYYY-MM-DD)</source>
            <translation>统计时段止（YYYY-MM-DD）</translation>
        </message>
        <message>
            <source>County code (6 digits; default: the county of the store's grid)</source>
            <translation>县级代码（6 位；默认为田管库网格所在县）</translation>
        </message>
        <message>
            <source>Atlas township</source>
            <translation>图集当前乡镇</translation>
        </message>
        <message>
            <source>{value}%</source>
            <translation>{value}%</translation>
        </message>
        <message>
            <source>{value} cases</source>
            <translation>{value} 件</translation>
        </message>
        <message>
            <source>{low}% – {high}%</source>
            <translation>{low}%–{high}%</translation>
        </message>
        <message>
            <source>{low} – {high} cases</source>
            <translation>{low}–{high} 件</translation>
        </message>
        <message>
            <source>Indicator</source>
            <translation>统计指标</translation>
        </message>
        <message>
            <source>Title (default: county and indicator)</source>
            <translation>标题（默认由县名和指标生成）</translation>
        </message>
        <message>
            <source>Classes (5)</source>
            <translation>分级方法（5 级）</translation>
        </message>
        <message>
            <source>Also an atlas: one page per township</source>
            <translation>同时输出乡镇图集（每乡镇一页）</translation>
        </message>
        <message>
            <source>Statistics map (PDF)</source>
            <translation>统计专题图（PDF）</translation>
        </message>
        <message>
            <source>Statistics map (PNG)</source>
            <translation>统计专题图（PNG）</translation>
        </message>
        <message>
            <source>PNG files (*.png)</source>
            <translation>PNG 图片 (*.png)</translation>
        </message>
        <message>
            <source>Add the layouts to the project (to edit them in the layout designer)</source>
            <translation>将版式加入工程（可在版式设计器中编辑）</translation>
        </message>
        <message>
            <source>Township atlas (PDF)</source>
            <translation>乡镇图集（PDF）</translation>
        </message>
        <message>
            <source>PDF pages written</source>
            <translation>输出 PDF 页数</translation>
        </message>
        <message>
            <source>Townships</source>
            <translation>乡镇数</translation>
        </message>
        <message>
            <source>{indicator} ({unit})</source>
            <translation>{indicator}（{unit}）</translation>
        </message>
        <message>
            <source>No patrol-coverage run in the period</source>
            <translation>统计时段内没有巡田覆盖分析结果</translation>
        </message>
        <message>
            <source>Source: Linxia prefecture store (shared)</source>
            <translation>数据来源：临夏州田管共享库（州库）</translation>
        </message>
        <message>
            <source>Source: Linxia tianguan store</source>
            <translation>数据来源：临夏州田管库</translation>
        </message>
        <message>
            <source>The atlas has no township to print.</source>
            <translation>图集没有可输出的乡镇。</translation>
        </message>
        <message>
            <source>The layout template {name} is missing from the plugin.</source>
            <translation>插件缺少版式模板 {name}。</translation>
        </message>
        <message>
            <source>The layout template {name} cannot be read.</source>
            <translation>无法读取版式模板 {name}。</translation>
        </message>
        <message>
            <source>Natural breaks (Jenks)</source>
            <translation>自然断点（Jenks）</translation>
        </message>
        <message>
            <source>Quantiles</source>
            <translation>分位数</translation>
        </message>
        <message>
            <source>Statistics map written: {pdf}</source>
            <translation>统计专题图已输出：{pdf}</translation>
        </message>
        <message>
            <source>{n} townships of {county}; {classes} classes.</source>
            <translation>{county}共 {n} 个乡镇，分 {classes} 级。</translation>
        </message>
        <message>
            <source>{county}: {indicator} by township</source>
            <translation>{county}各乡镇{indicator}专题图</translation>
        </message>
        <message>
            <source>Patrol coverage run of {start} to {end}</source>
            <translation>巡田覆盖分析时段：{start} 至 {end}</translation>
        </message>
        <message>
            <source>Period: all records</source>
            <translation>统计时段：全部记录</translation>
        </message>
        <message>
            <source>Map date: {date}</source>
            <translation>制图日期：{date}</translation>
        </message>
        <message>
            <source>{title} (atlas)</source>
            <translation>{title}（乡镇图集）</translation>
        </message>
        <message>
            <source>Boundary of {name}</source>
            <translation>{name}界线</translation>
        </message>
        <message>
            <source>{township}: {indicator}</source>
            <translation>{township}{indicator}</translation>
        </message>
        <message>
            <source>{title} · {when}</source>
            <translation>{title} · {when}</translation>
        </message>
        <message>
            <source>{indicator}: {value}</source>
            <translation>{indicator}：{value}</translation>
        </message>
        <message>
            <source>The store {path} has no patrol grid: run “Build the patrol grid” first, the townships of the map are its cells.</source>
            <translation>田管库 {path} 中没有巡田网格：专题图的乡镇取自网格，请先运行“构建巡田网格”。</translation>
        </message>
        <message>
            <source>The active patrol grid has no township under {code}.</source>
            <translation>当前巡田网格中没有 {code} 下属的乡镇。</translation>
        </message>
        <message>
            <source>The layout template {name} lacks the items {items}.</source>
            <translation>版式模板 {name} 缺少以下图元：{items}。</translation>
        </message>
        <message>
            <source>The prefecture store (schema “{schema}”) has no patrol grid that this connection's role may read{under}: the counties build and publish their grids first, the townships of the map are its cells.</source>
            <translation>州库（模式“{schema}”）中没有本连接的数据库账号可读取的巡田网格{under}：专题图的乡镇就是网格单元，请各县先构建巡田网格并发布到州库。</translation>
        </message>
        <message>
            <source>Period: {start} to {end}</source>
            <translation>统计时段：{start} 至 {end}</translation>
        </message>
        <message>
            <source>it cannot be opened as an Excel workbook</source>
            <translation>无法作为 Excel 工作簿打开</translation>
        </message>
        <message>
            <source>it has no sheet “{sheet}”; its sheets are: {sheets}</source>
            <translation>没有工作表“{sheet}”；现有工作表：{sheets}</translation>
        </message>
        <message>
            <source>Tasks</source>
            <translation>任务数</translation>
        </message>
        <message>
            <source>Coverage (%)</source>
            <translation>覆盖率(%)</translation>
        </message>
        <message>
            <source>Posts</source>
            <translation>岗位数</translation>
        </message>
        <message>
            <source>10k mu</source>
            <translation>万亩</translation>
        </message>
        <message>
            <source>Farmland</source>
            <translation>耕地</translation>
        </message>
        <message>
            <source>Basic farmland</source>
            <translation>永久基本农田</translation>
        </message>
        <message>
            <source>Prefecture red lines: farmland {farm} 10k mu, permanent basic farmland {basic} 10k mu</source>
            <translation>州红线：耕地保有量 {farm} 万亩，永久基本农田保护面积 {basic} 万亩</translation>
        </message>
        <message>
            <source>No Chinese font is installed ({fonts}): the report would print boxes. Install one (e.g. WenQuanYi Micro Hei) and run again.</source>
            <translation>未安装中文字体（{fonts}）：报告中的文字将显示为方框。请安装一种（如文泉驿微米黑）后重试。</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>已完成</translation>
        </message>
        <message>
            <source>Not done</source>
            <translation>未完成</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <source>Assistants</source>
            <translation>协管员</translation>
        </message>
        <message>
            <source>Vacancies</source>
            <translation>空缺</translation>
        </message>
        <message>
            <source>On time</source>
            <translation>按期整改</translation>
        </message>
        <message>
            <source>Late</source>
            <translation>逾期整改</translation>
        </message>
        <message>
            <source>Open, within deadline</source>
            <translation>未整改(未到期)</translation>
        </message>
        <message>
            <source>Open, overdue</source>
            <translation>未整改(已超期)</translation>
        </message>
        <message>
            <source>Farmland target</source>
            <translation>耕地目标</translation>
        </message>
        <message>
            <source>Basic farmland target</source>
            <translation>永久基本农田目标</translation>
        </message>
        <message>
            <source>Farmland red line</source>
            <translation>耕地红线</translation>
        </message>
        <message>
            <source>Basic farmland red line</source>
            <translation>永久基本农田红线</translation>
        </message>
        <message>
            <source>No data for this filter.</source>
            <translation>当前筛选条件下没有数据。</translation>
        </message>
        <message>
            <source>all time</source>
            <translation>全部时间</translation>
        </message>
        <message>
            <source>{first} to {last}</source>
            <translation>{first} 至 {last}</translation>
        </message>
        <message>
            <source>Linxia Prefecture</source>
            <translation>临夏州</translation>
        </message>
        <message>
            <source>Farmland protection dashboard · {scope} · {period}</source>
            <translation>领导田管驾驶舱 · {scope} · {period}</translation>
        </message>
        <message>
            <source>Patrol tasks per month</source>
            <translation>巡田任务完成情况</translation>
        </message>
        <message>
            <source>Patrol coverage rate</source>
            <translation>巡田覆盖率</translation>
        </message>
        <message>
            <source>Officers per level and area</source>
            <translation>各级田管员数量</translation>
        </message>
        <message>
            <source>Cases by state and class</source>
            <translation>案件状态与类型</translation>
        </message>
        <message>
            <source>Township ranking of cases</source>
            <translation>乡镇案件排名</translation>
        </message>
        <message>
            <source>Rectification timeliness</source>
            <translation>整改及时性</translation>
        </message>
        <message>
            <source>Farmland and permanent basic farmland per township</source>
            <translation>乡镇耕地与永久基本农田</translation>
        </message>
        <message>
            <source>Farmland across survey years</source>
            <translation>耕地面积年度趋势</translation>
        </message>
        <message>
            <source>No coverage rates in the store: run the patrol coverage analysis first.</source>
            <translation>田管库中没有覆盖率：请先运行巡田覆盖分析。</translation>
        </message>
        <message>
            <source>No survey year is known: import the annual change survey's totals, or code the parcels and run a change analysis between two surveys.</source>
            <translation>尚无调查年度数据：请导入变更调查数据，或先赋码并对两个年度的调查做变化分析。</translation>
        </message>
        <message>
            <source>coded parcels</source>
            <translation>赋码地块</translation>
        </message>
        <message>
            <source>derived from change cases</source>
            <translation>由变化案件推算</translation>
        </message>
        <message>
            <source>annual change survey (imported)</source>
            <translation>变更调查（导入）</translation>
        </message>
        <message>
            <source>Month</source>
            <translation>月份</translation>
        </message>
        <message>
            <source>Done (%)</source>
            <translation>完成率(%)</translation>
        </message>
        <message>
            <source>Farmland (mu)</source>
            <translation>耕地(亩)</translation>
        </message>
        <message>
            <source>Farmland seen (mu)</source>
            <translation>已巡耕地(亩)</translation>
        </message>
        <message>
            <source>Basic farmland (mu)</source>
            <translation>永农（亩）</translation>
        </message>
        <message>
            <source>Basic farmland seen (mu)</source>
            <translation>已巡永久基本农田(亩)</translation>
        </message>
        <message>
            <source>Basic farmland coverage (%)</source>
            <translation>永久基本农田覆盖率(%)</translation>
        </message>
        <message>
            <source>Area code</source>
            <translation>区域编码</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>区域</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Category</source>
            <translation>预判</translation>
        </message>
        <message>
            <source>Rank by cases</source>
            <translation>案件数排名</translation>
        </message>
        <message>
            <source>Rank by area</source>
            <translation>面积排名</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>已结案</translation>
        </message>
        <message>
            <source>Rank by closure time</source>
            <translation>结案时长排名</translation>
        </message>
        <message>
            <source>Mean closure (days)</source>
            <translation>平均结案天数</translation>
        </message>
        <message>
            <source>To rectify</source>
            <translation>应整改</translation>
        </message>
        <message>
            <source>Overdue open cases (any state)</source>
            <translation>超期未办结案件(各环节)</translation>
        </message>
        <message>
            <source>On time (%)</source>
            <translation>整改及时率(%)</translation>
        </message>
        <message>
            <source>Farmland target (mu)</source>
            <translation>耕地目标(亩)</translation>
        </message>
        <message>
            <source>Basic farmland target (mu)</source>
            <translation>永久基本农田目标(亩)</translation>
        </message>
        <message>
            <source>Farmland vs target (mu)</source>
            <translation>耕地较目标(亩)</translation>
        </message>
        <message>
            <source>Basic farmland vs target (mu)</source>
            <translation>永久基本农田较目标(亩)</translation>
        </message>
        <message>
            <source>Meets targets</source>
            <translation>是否达标</translation>
        </message>
        <message>
            <source>Survey year</source>
            <translation>调查年度</translation>
        </message>
        <message>
            <source>Farmland change (mu)</source>
            <translation>耕地变化(亩)</translation>
        </message>
        <message>
            <source>Basic farmland change (mu)</source>
            <translation>永久基本农田变化(亩)</translation>
        </message>
        <message>
            <source>Farmland above red line (mu)</source>
            <translation>耕地高于红线(亩)</translation>
        </message>
        <message>
            <source>Basic farmland above red line (mu)</source>
            <translation>永久基本农田高于红线(亩)</translation>
        </message>
        <message>
            <source>Cannot read the targets file {path}: unknown encoding.</source>
            <translation>无法读取目标文件 {path}：编码无法识别。</translation>
        </message>
        <message>
            <source>Targets file {path}: bad number in the row of {code}.</source>
            <translation>目标文件 {path}：{code} 所在行的数字无效。</translation>
        </message>
        <message>
            <source>Coverage</source>
            <translation>覆盖率</translation>
        </message>
        <message>
            <source>Ranking</source>
            <translation>乡镇排名</translation>
        </message>
        <message>
            <source>Timeliness</source>
            <translation>整改及时性</translation>
        </message>
        <message>
            <source>Trend</source>
            <translation>年度趋势</translation>
        </message>
        <message>
            <source>As of {day}</source>
            <translation>统计截至 {day}</translation>
        </message>
        <message>
            <source>First {shown} of {total} rows; every row is in the XLSX tables.</source>
            <translation>仅列出 {total} 行中的前 {shown} 行；全部数据见 XLSX 表格。</translation>
        </message>
        <message>
            <source>Create a new tianguan store at this path (when there is none)</source>
            <translation>在此路径新建田管库（尚无时）</translation>
        </message>
        <message>
            <source>The tianguan store {path} failed: {detail}</source>
            <translation>田管库 {path} 出错：{detail}</translation>
        </message>
        <message>
            <source>The tianguan store {path} is locked by another program that is writing to it: trying again in {delay:g} s (attempt {attempt} failed)</source>
            <translation>田管库 {path} 正被另一个程序写入而锁定：{delay:g} 秒后重试（第 {attempt} 次尝试未成功）</translation>
        </message>
        <message>
            <source>Cannot open the tianguan store {path}: {error}</source>
            <translation>无法打开田管库 {path}：{error}</translation>
        </message>
        <message>
            <source>The evidence cannot be stored: {error}</source>
            <translation>举证材料无法保存：{error}</translation>
        </message>
        <message>
            <source>The tianguan store {path} is locked by another program that is writing to it (waited and tried again): close the other QGIS window or run that uses it, then run again</source>
            <translation>田管库 {path} 正被另一个程序写入而锁定（已等待并重试）：请关闭正在使用它的另一个 QGIS 窗口或运行，然后重新运行</translation>
        </message>
        <message>
            <source>The disk of the tianguan store {path} is full: free some space (or move the store to a disk with space) and run again; nothing of the interrupted step was written</source>
            <translation>田管库 {path} 所在磁盘已满：请腾出空间（或把田管库移到有空间的磁盘）后重新运行；中断的这一步没有写入任何内容</translation>
        </message>
        <message>
            <source>The disk of the tianguan store {path} reported an I/O error: check the disk or network drive, copy the store to a local disk and run again; nothing of the interrupted step was written</source>
            <translation>田管库 {path} 所在磁盘报告读写（I/O）错误：请检查磁盘或网络盘，把田管库复制到本机磁盘后重新运行；中断的这一步没有写入任何内容</translation>
        </message>
        <message>
            <source>The tianguan store {path} cannot be written (read-only file or folder): check its permissions or copy it to a folder you can write to</source>
            <translation>田管库 {path} 无法写入（文件或文件夹只读）：请检查权限，或把它复制到可写的文件夹</translation>
        </message>
        <message>
            <source>The tianguan store {path} is damaged ({detail}): restore it from a backup</source>
            <translation>田管库 {path} 已损坏（{detail}）：请从备份恢复</translation>
        </message>
        <message>
            <source>The tianguan store {path} cannot be opened: check that the folder exists and that you may write to it</source>
            <translation>无法打开田管库 {path}：请确认文件夹存在且有写入权限</translation>
        </message>
        <message>
            <source>Another run wrote the same record to the tianguan store {path} at the same time ({detail}): the other run's record is kept; run again to see what is left</source>
            <translation>另一次运行同时向田管库 {path} 写入了同一条记录（{detail}）：保留另一次运行的记录；请重新运行查看还剩哪些未处理</translation>
        </message>
        <message>
            <source>The disk is full (or the file too large for it) while writing {file}: free some space or choose another folder, then run again; the file was not written</source>
            <translation>写入 {file} 时磁盘已满（或文件超出该磁盘允许的大小）：请腾出空间或另选文件夹后重新运行；该文件未写入</translation>
        </message>
        <message>
            <source>The disk reported an I/O error while writing {file}: check the disk or network drive and run again; the file was not written</source>
            <translation>写入 {file} 时磁盘报告读写（I/O）错误：请检查磁盘或网络盘后重新运行；该文件未写入</translation>
        </message>
        <message>
            <source>{file} cannot be written (no permission, or a read-only disk): choose a folder you may write to</source>
            <translation>无法写入 {file}（没有权限，或磁盘只读）：请选择有写入权限的文件夹</translation>
        </message>
        <message>
            <source>There is no tianguan store at {path}: check the path (a typo?), or tick '{option}' to create a new one</source>
            <translation>{path} 处没有田管库：请检查路径（是否拼写有误？），或勾选“{option}”新建一个</translation>
        </message>
        <message>
            <source>{path} is not a tianguan store (not a GeoPackage): choose a .gpkg file made by this plugin, or a new file name</source>
            <translation>{path} 不是田管库（不是 GeoPackage 文件）：请选择本插件生成的 .gpkg 田管库，或填写一个新文件名</translation>
        </message>
        <message>
            <source>The evidence file(s) {files} do not exist or are not files: check the path (moved or renamed since?) and try again</source>
            <translation>举证文件 {files} 不存在或不是文件：请检查路径（是否已移动或改名），然后重试</translation>
        </message>
        <message>
            <source>The evidence file(s) were refused ({reasons}): attach the original photos or documents</source>
            <translation>举证文件被拒收（{reasons}）：请附上原始照片或材料</translation>
        </message>
        <message>
            <source>The evidence path {files} leaves the store's evidence folder: it is not read</source>
            <translation>举证路径 {files} 超出田管库的举证文件夹：不予读取</translation>
        </message>
        <message>
            <source>Case {files} is not in the tianguan store: refresh the case list (another desk may have replaced the store)</source>
            <translation>田管库中没有案件 {files}：请刷新案件列表（田管库可能已被其他桌面替换）</translation>
        </message>
        <message>
            <source>The evidence file {files} could not be copied into the store's evidence folder: check the disk and the folder's permissions, then try again</source>
            <translation>举证文件 {files} 无法复制到田管库的举证文件夹：请检查磁盘与文件夹权限，然后重试</translation>
        </message>
        <message>
            <source>{path} is not a tianguan store: it holds other data ({tables}); the plugin never writes its tables into a data GeoPackage: choose another file name for the store</source>
            <translation>{path} 不是田管库：其中存有其他数据（{tables}）；插件不会把自己的表写入数据 GeoPackage，请为田管库另选一个文件名</translation>
        </message>
        <message>
            <source>{path} is a folder, not a tianguan store: choose a .gpkg file</source>
            <translation>{path} 是文件夹，不是田管库：请选择一个 .gpkg 文件</translation>
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
            <source>Chinese field aliases and symbology of the Linxia Tianguan plugin</source>
            <translation>临夏田管插件的中文字段别名与符号样式</translation>
        </message>
        <message>
            <source>Case {grid} · {state} · {area:.1f} mu</source>
            <translation>案件 {grid} · {state} · {area:.1f} 亩</translation>
        </message>
        <message>
            <source>Tianguan cases (space code)</source>
            <translation>田管案件（空间码）</translation>
        </message>
        <message>
            <source>Your name</source>
            <translation>您的姓名</translation>
        </message>
        <message>
            <source>Where the cases are read and moved: this desk's store or a PostGIS connection saved in QGIS</source>
            <translation>案件的读取与流转位置：本机田管库，或 QGIS 中已保存的 PostGIS 连接</translation>
        </message>
        <message>
            <source>Export to PostGIS…</source>
            <translation>导出到 PostGIS…</translation>
        </message>
        <message>
            <source>Export this store's cases to the county's PostGIS (a saved QGIS connection)</source>
            <translation>将本田管库的案件导出到县级 PostGIS（使用 QGIS 中已保存的连接）</translation>
        </message>
        <message>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>Overdue only</source>
            <translation>仅看超期</translation>
        </message>
        <message>
            <source>Space code of a parcel</source>
            <translation>地块空间编码</translation>
        </message>
        <message>
            <source>Excel…</source>
            <translation>导出 Excel…</translation>
        </message>
        <message>
            <source>Write the cases shown (after the filters, in the table's order) to an Excel workbook</source>
            <translation>把当前显示的案件（筛选后、按表格顺序）导出为 Excel 工作簿</translation>
        </message>
        <message>
            <source>PDF…</source>
            <translation>导出 PDF…</translation>
        </message>
        <message>
            <source>Print the cases shown (after the filters, in the table's order) to a PDF</source>
            <translation>把当前显示的案件（筛选后、按表格顺序）打印为 PDF</translation>
        </message>
        <message>
            <source>History</source>
            <translation>流转记录</translation>
        </message>
        <message>
            <source>Comment (the reason, required for returns, recalls and some closings)</source>
            <translation>意见（理由；退回、撤回和部分结案时必填）</translation>
        </message>
        <message>
            <source>Add attachments…</source>
            <translation>添加附件…</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <source>Attachments (photos or documents)</source>
            <translation>附件（照片或材料）</translation>
        </message>
        <message>
            <source>Selected cases</source>
            <translation>选中案件</translation>
        </message>
        <message>
            <source>Export the case list to Excel</source>
            <translation>导出案件清单为 Excel</translation>
        </message>
        <message>
            <source>Export the case list to PDF</source>
            <translation>导出案件清单为 PDF</translation>
        </message>
        <message>
            <source>PDF (*.pdf)</source>
            <translation>PDF (*.pdf)</translation>
        </message>
        <message>
            <source>The name, comment or attachment holds an invisible control character (such as NUL, often pasted from another program): retype it.</source>
            <translation>姓名、意见或附件名中含有不可见的控制字符（如 NUL，常由其他程序粘贴而来）：请重新输入。</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>姓名</translation>
        </message>
        <message>
            <source>Time (Beijing)</source>
            <translation>时间（北京时间）</translation>
        </message>
        <message>
            <source>By</source>
            <translation>操作人</translation>
        </message>
        <message>
            <source>Move</source>
            <translation>流转</translation>
        </message>
        <message>
            <source>Taken (Beijing)</source>
            <translation>拍摄时间（北京时间）</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Checks</source>
            <translation>核查</translation>
        </message>
        <message>
            <source>The store has no cases yet: run the change analysis first.</source>
            <translation>田管库中还没有案件：请先运行变化图斑提取与预判。</translation>
        </message>
        <message>
            <source>Refused: {error}</source>
            <translation>操作被拒绝：{error}</translation>
        </message>
        <message>
            <source>Select one or more cases first.</source>
            <translation>请先选择一个或多个案件。</translation>
        </message>
        <message>
            <source>Enter your name before acting on cases.</source>
            <translation>处理案件前请先填写您的姓名。</translation>
        </message>
        <message>
            <source>{action}: {ok} of {n} cases moved, {failed} refused.</source>
            <translation>{action}：{n} 件中 {ok} 件已流转，{failed} 件被拒绝。</translation>
        </message>
        <message>
            <source>{action} stopped at {case}: {fault}.</source>
            <translation>{action}在{case}处中止：{fault}。</translation>
        </message>
        <message>
            <source>No case was moved.</source>
            <translation>没有案件被流转。</translation>
        </message>
        <message>
            <source>Find by code</source>
            <translation>按编码查找</translation>
        </message>
        <message>
            <source>{shown} of {total} cases: {counts}</source>
            <translation>显示 {shown} / 共 {total} 件：{counts}</translation>
        </message>
        <message>
            <source>Case {number} · priority {priority} · {state} (version {version})</source>
            <translation>案件 {number} · 优先级 {priority} · {state}（版本 {version}）</translation>
        </message>
        <message>
            <source>Case id (UUID): {id}</source>
            <translation>案件标识（UUID）：{id}</translation>
        </message>
        <message>
            <source>Land class {before} → {after}; officer {officer} {phone}</source>
            <translation>地类 {before} → {after}；田管员 {officer} {phone}</translation>
        </message>
        <message>
            <source>Reasons: {reasons}</source>
            <translation>预判依据：{reasons}</translation>
        </message>
        <message>
            <source>Parcel codes: {codes}</source>
            <translation>涉及地块编码：{codes}</translation>
        </message>
        <message>
            <source>{n} cases written to {path}.</source>
            <translation>已将 {n} 个案件写入 {path}。</translation>
        </message>
        <message>
            <source>It was changed by someone else meanwhile (version {actual}, you read {expected}); the dock has reloaded it, check its state and try again.</source>
            <translation>该案件已被他人修改（当前版本 {actual}，您读取的是版本 {expected}）；已重新加载，请核对其最新状态后再操作。</translation>
        </message>
        <message>
            <source>"{action}" needs a comment (the reason).</source>
            <translation>“{action}”须填写意见（理由）。</translation>
        </message>
        <message>
            <source>"{action}" needs at least one attachment (photos or documents).</source>
            <translation>“{action}”须至少添加一个附件（照片或材料）。</translation>
        </message>
        <message>
            <source>Only a case issued and not yet acted on by the field (no evidence submitted) can be recalled, by the county reviewer; this one is {state}.</source>
            <translation>只有已下发、外业尚未处理（未提交举证）的案件才能撤回，且须由县级审核撤回；该案件当前为{state}。</translation>
        </message>
        <message>
            <source>{role} may not take "{action}" on a case in state {state}.</source>
            <translation>{role}不能对状态为“{state}”的案件执行“{action}”。</translation>
        </message>
        <message>
            <source>{number} (priority {priority})</source>
            <translation>{number}（优先级 {priority}）</translation>
        </message>
        <message>
            <source>Not moved ({n}, left as they were): {cases}. Select them and try again once the store can be written.</source>
            <translation>未流转（{n} 件，保持原状）：{cases}。待田管库可以写入后，请选中它们再试一次。</translation>
        </message>
        <message>
            <source>PostGIS: {name}</source>
            <translation>PostGIS：{name}</translation>
        </message>
        <message>
            <source>overdue</source>
            <translation>超期</translation>
        </message>
        <message>
            <source>Due by {time} (Beijing time){overdue}</source>
            <translation>办理时限：{time}（北京时间）{overdue}</translation>
        </message>
        <message>
            <source>comment</source>
            <translation>意见</translation>
        </message>
        <message>
            <source>attachment</source>
            <translation>附件</translation>
        </message>
        <message>
            <source>Parcels touched</source>
            <translation>涉及地块</translation>
        </message>
        <message>
            <source>{case}: {action} done, {result}.</source>
            <translation>{case}：{action}完成，{result}。</translation>
        </message>
        <message>
            <source>{case}: {action} refused. {result}</source>
            <translation>{case}：{action}被拒绝。{result}</translation>
        </message>
        <message>
            <source>Moved ({n}, they stay moved): {cases}.</source>
            <translation>已流转（{n} 件，保持已流转）：{cases}。</translation>
        </message>
        <message>
            <source>ok</source>
            <translation>正常</translation>
        </message>
        <message>
            <source>Cannot read the cases from {source}: {error}</source>
            <translation>无法从 {source} 读取案件：{error}</translation>
        </message>
        <message>
            <source>{action}: {source} → {target}</source>
            <translation>{action}：{source} → {target}</translation>
        </message>
        <message>
            <source>Not tried: the batch stopped at {case}.</source>
            <translation>未尝试：批量操作已在{case}处中止。</translation>
        </message>
        <message>
            <source>{case}: {result}</source>
            <translation>{case}：{result}</translation>
        </message>
        <message>
            <source>PostGIS connection “{name}”</source>
            <translation>PostGIS 连接“{name}”</translation>
        </message>
        <message>
            <source>{distance:.0f} m from the case</source>
            <translation>距案件 {distance:.0f} 米</translation>
        </message>
        <message>
            <source>needs {what}</source>
            <translation>须提供{what}</translation>
        </message>
        <message>
            <source>{state} now</source>
            <translation>现为{state}</translation>
        </message>
        <message>
            <source>Cannot write to {source}: {error}</source>
            <translation>无法写入 {source}：{error}</translation>
        </message>
        <message>
            <source>With the prefecture store, rows select nothing on the map: the project's patrol grid layers are a desk's tianguan store's. Use the statistics map (导出统计专题图) for the prefecture's map.</source>
            <translation>读取州库时，点击表格行不会在地图上选中：项目中的巡田网格图层属于某个县的田管库。州级地图请使用“导出统计专题图”。</translation>
        </message>
        <message>
            <source>Quarter</source>
            <translation>季度</translation>
        </message>
        <message>
            <source>Year</source>
            <translation>年度</translation>
        </message>
        <message>
            <source>All (cumulative)</source>
            <translation>全部（累计）</translation>
        </message>
        <message>
            <source>Custom</source>
            <translation>自定义</translation>
        </message>
        <message>
            <source>Exporting the dashboard report</source>
            <translation>正在导出驾驶舱报告</translation>
        </message>
        <message>
            <source>Prefecture store (PostGIS)</source>
            <translation>州库（PostGIS）</translation>
        </message>
        <message>
            <source>This desk's tianguan store, or the prefecture's shared store as the role of a saved PostgreSQL connection sees it: the prefecture's role every county, a county's role its own.</source>
            <translation>本机的田管库，或按已保存 PostgreSQL 连接的数据库账号所见读取州级共享库：州级账号看到所有县，县级账号只看到本县。</translation>
        </message>
        <message>
            <source>Tianguan store (*.gpkg)</source>
            <translation>田管库 (*.gpkg)</translation>
        </message>
        <message>
            <source>Tianguan store</source>
            <translation>田管库</translation>
        </message>
        <message>
            <source>Period</source>
            <translation>时段</translation>
        </message>
        <message>
            <source>Township targets (*.csv)</source>
            <translation>乡镇目标 (*.csv)</translation>
        </message>
        <message>
            <source>Township targets (CSV, optional)</source>
            <translation>乡镇目标（CSV，可选）</translation>
        </message>
        <message>
            <source>Export PDF/PNG report…</source>
            <translation>导出 PDF/PNG 报告…</translation>
        </message>
        <message>
            <source>Export XLSX tables…</source>
            <translation>导出 XLSX 表格…</translation>
        </message>
        <message>
            <source>A PostgreSQL connection saved in QGIS (Data Source Manager); its role decides which counties are shown.</source>
            <translation>QGIS 中已保存的 PostgreSQL 连接（数据源管理器）；其数据库账号决定显示哪些县。</translation>
        </message>
        <message>
            <source>Read</source>
            <translation>读取</translation>
        </message>
        <message>
            <source>Read the prefecture store again (after counties published)</source>
            <translation>重新读取州库（各县发布之后）</translation>
        </message>
        <message>
            <source>No layer of this store's patrol grid (tg_grid_cell) is loaded: add it to the map to select townships.</source>
            <translation>未加载本田管库的巡田网格图层（tg_grid_cell）：将其添加到地图后即可选中乡镇。</translation>
        </message>
        <message>
            <source>Choose a tianguan store first.</source>
            <translation>请先选择田管库。</translation>
        </message>
        <message>
            <source>The export of the report was cancelled; nothing was written.</source>
            <translation>报告导出已取消，未写入任何文件。</translation>
        </message>
        <message>
            <source>Writing the report {pdf}… (progress in the task bar)</source>
            <translation>正在写出报告 {pdf}……（进度见任务栏）</translation>
        </message>
        <message>
            <source>Tables written: {path}.</source>
            <translation>表格已写出：{path}。</translation>
        </message>
        <message>
            <source>No tianguan store at {path}.</source>
            <translation>{path} 处没有田管库。</translation>
        </message>
        <message>
            <source>The role of connection “{name}” sees nothing in the prefecture store (schema “{schema}”): no county has published yet, or the role has no scope — ask the prefecture's administrator (州库建库与授权).</source>
            <translation>连接“{name}”的数据库账号在州库（模式“{schema}”）中看不到任何数据：尚无县发布，或该账号没有读取范围——请联系州级管理员（州库建库与授权）。</translation>
        </message>
        <message>
            <source>Selected {name} on the map.</source>
            <translation>已在地图上选中{name}。</translation>
        </message>
        <message>
            <source>{name} is not in the loaded patrol grid layer.</source>
            <translation>已加载的巡田网格图层中没有{name}。</translation>
        </message>
        <message>
            <source>Report written: {pdf} (charts in {folder}).</source>
            <translation>报告已写出：{pdf}（图表在 {folder}）。</translation>
        </message>
        <message>
            <source>The report could not be written: {error}</source>
            <translation>报告未能写出：{error}</translation>
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
            <source>{coded} parcels coded: {new} new, {kept} kept, {retired} retired, {issues} issues.</source>
            <translation>已赋码 {coded} 块：新增 {new}，保留 {kept}，注销 {retired}，问题 {issues} 条。</translation>
        </message>
        <message>
            <source>There is no tianguan store at {path} yet. Create a new one there? (If the path is wrong, choose the store in the plugin's settings.)</source>
            <translation>{path} 处还没有田管库。要在此新建吗？（如果路径不对，请在插件设置中选择田管库。）</translation>
        </message>
        <message>
            <source>Coding failed or was cancelled; see the log panel ({tag}).</source>
            <translation>赋码失败或已取消，详见日志面板（{tag}）。</translation>
        </message>
        <message>
            <source>weekly</source>
            <translation>每周</translation>
        </message>
        <message>
            <source>monthly</source>
            <translation>每月</translation>
        </message>
        <message>
            <source>quarterly</source>
            <translation>每季度</translation>
        </message>
        <message>
            <source>twice a year</source>
            <translation>每半年</translation>
        </message>
        <message>
            <source>yearly</source>
            <translation>每年</translation>
        </message>
        <message>
            <source>Group (社) officers patrol</source>
            <translation>社级田管员巡田</translation>
        </message>
        <message>
            <source>Village (村) officers patrol</source>
            <translation>村级田管员巡田</translation>
        </message>
        <message>
            <source>Township (乡) officers patrol</source>
            <translation>乡级田管员巡田</translation>
        </message>
        <message>
            <source>County (县) officers patrol</source>
            <translation>县级田管员巡田</translation>
        </message>
        <message>
            <source>Prefecture (州) officers patrol</source>
            <translation>州级田管员巡田</translation>
        </message>
        <message>
            <source>Linxia farmland patrol — settings</source>
            <translation>临夏田管 — 设置</translation>
        </message>
        <message>
            <source>{code} is replaced by the space code</source>
            <translation>{code} 将替换为空间码</translation>
        </message>
        <message>
            <source>QR content template</source>
            <translation>二维码内容模板</translation>
        </message>
        <message>
            <source>driven, not walked</source>
            <translation>开车而非步行</translation>
        </message>
        <message>
            <source>too short</source>
            <translation>时长或距离过短</translation>
        </message>
        <message>
            <source>outside the grid</source>
            <translation>不在责任网格内</translation>
        </message>
        <message>
            <source>jumping points</source>
            <translation>定位点跳跃</translation>
        </message>
        <message>
            <source>replays an earlier track</source>
            <translation>重复使用以前的轨迹</translation>
        </message>
        <message>
            <source>implausibly regular sampling</source>
            <translation>采样间隔异常规整</translation>
        </message>
        <message>
            <source>grid not in the patrol grid</source>
            <translation>网格不在巡田网格中</translation>
        </message>
        <message>
            <source>phone clock wrong</source>
            <translation>手机时钟错误</translation>
        </message>
        <message>
            <source>outside the county</source>
            <translation>不在本县范围内</translation>
        </message>
        <message>
            <source>before the patrol plan</source>
            <translation>早于巡田计划</translation>
        </message>
        <message>
            <source>Show on map</source>
            <translation>在地图上显示</translation>
        </message>
        <message>
            <source>Step back</source>
            <translation>后退一步</translation>
        </message>
        <message>
            <source>Step forward</source>
            <translation>前进一步</translation>
        </message>
        <message>
            <source>Play</source>
            <translation>播放</translation>
        </message>
        <message>
            <source>Patrol</source>
            <translation>巡田记录</translation>
        </message>
        <message>
            <source>The store has no patrol tracks yet: import them first.</source>
            <translation>田管库中还没有巡田轨迹：请先导入。</translation>
        </message>
        <message>
            <source>No flags.</source>
            <translation>无疑点。</translation>
        </message>
        <message>
            <source>Patrol {id}</source>
            <translation>巡田轨迹 {id}</translation>
        </message>
        <message>
            <source>Fixes of {id}</source>
            <translation>{id} 的定位点</translation>
        </message>
        <message>
            <source>{time} (Beijing time), {elapsed} min since the start</source>
            <translation>{time}（北京时间），已巡 {elapsed} 分钟</translation>
        </message>
        <message>
            <source>Speed {speed} km/h · walked {distance} m of {total} m · {seen} parcels seen</source>
            <translation>速度 {speed} 千米/时 · 已走 {distance} 米 / 共 {total} 米 · 看到地块 {seen} 块</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>暂停</translation>
        </message>
        <message>
            <source>Flags: {flags}</source>
            <translation>疑点：{flags}</translation>
        </message>
        <message>
            <source>This GDAL has no XLSX driver: cannot write {path}; export to .csv instead.</source>
            <translation>此 GDAL 没有 XLSX 驱动，无法写出 {path}；请改为导出 .csv。</translation>
        </message>
    </context>
</TS>
