<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Access</name>
    <message>
        <source>night operator</source>
        <translation>夜班值守员</translation>
    </message>
    <message>
        <source>shift lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>manager</source>
        <translation>管理人员</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>系统管理员</translation>
    </message>
    <message>
        <source>acknowledge incidents</source>
        <translation>确认事件</translation>
    </message>
    <message>
        <source>acknowledge alarms</source>
        <translation>确认报警</translation>
    </message>
    <message>
        <source>write notes</source>
        <translation>写备注</translation>
    </message>
    <message>
        <source>check in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>test the alarm</source>
        <translation>测试报警</translation>
    </message>
    <message>
        <source>snooze alarms</source>
        <translation>暂缓报警</translation>
    </message>
    <message>
        <source>change the alarm&apos;s volume and output</source>
        <translation>调整报警音量和输出设备</translation>
    </message>
    <message>
        <source>dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>recall tasks</source>
        <translation>撤回任务</translation>
    </message>
    <message>
        <source>reply to residents</source>
        <translation>答复居民</translation>
    </message>
    <message>
        <source>escalate</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>resolve incidents</source>
        <translation>处置完成事件</translation>
    </message>
    <message>
        <source>close incidents</source>
        <translation>关闭事件</translation>
    </message>
    <message>
        <source>reopen incidents</source>
        <translation>重新打开事件</translation>
    </message>
    <message>
        <source>merge incidents</source>
        <translation>合并事件</translation>
    </message>
    <message>
        <source>work grievance cases</source>
        <translation>办理诉求工单</translation>
    </message>
    <message>
        <source>set duty status</source>
        <translation>设置在岗状态</translation>
    </message>
    <message>
        <source>draw safe zones</source>
        <translation>绘制安全区</translation>
    </message>
    <message>
        <source>open and hand over shifts</source>
        <translation>开班和交接班</translation>
    </message>
    <message>
        <source>read reports</source>
        <translation>查看报告</translation>
    </message>
    <message>
        <source>read the audit trail</source>
        <translation>查看审计记录</translation>
    </message>
    <message>
        <source>reveal personal data</source>
        <translation>查看个人信息明文</translation>
    </message>
    <message>
        <source>export personal data</source>
        <translation>导出个人信息</translation>
    </message>
    <message>
        <source>manage users</source>
        <translation>管理用户</translation>
    </message>
    <message>
        <source>manage feeds</source>
        <translation>管理数据源</translation>
    </message>
    <message>
        <source>import the directory</source>
        <translation>导入名册</translation>
    </message>
    <message>
        <source>change policies</source>
        <translation>修改策略</translation>
    </message>
    <message>
        <source>Sign in first: {0} needs a signed-in operator.</source>
        <translation>请先登录：{0}需要已登录的操作员。</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>A {0} may not {1} (allowed: {2}).</source>
        <translation>{0}无权{1}（可由{2}操作）。</translation>
    </message>
</context>
<context>
    <name>ActionVerb</name>
    <message>
        <source>acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>mark on scene</source>
        <translation>标记到场</translation>
    </message>
    <message>
        <source>recall</source>
        <translation>召回</translation>
    </message>
    <message>
        <source>escalate</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>resolve</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>mark as false alarm</source>
        <translation>标记误报</translation>
    </message>
    <message>
        <source>close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>merge</source>
        <translation>合并</translation>
    </message>
</context>
<context>
    <name>AdminMenu</name>
    <message>
        <source>Users…</source>
        <translation>用户…</translation>
    </message>
    <message>
        <source>Import directory…</source>
        <translation>导入名册…</translation>
    </message>
</context>
<context>
    <name>AlarmBanner</name>
    <message>
        <source>Acknowledge ({0})</source>
        <translation>确认警报（{0}）</translation>
    </message>
    <message>
        <source>Snooze… ({0})</source>
        <translation>暂缓…（{0}）</translation>
    </message>
    <message>
        <source> — ESCALATED</source>
        <translation> — 已升级</translation>
    </message>
    <message>
        <source> — ESCALATED TWICE</source>
        <translation> — 已二次升级</translation>
    </message>
    <message>
        <source>{0} ago</source>
        <translation>{0}前</translation>
    </message>
    <message>
        <source> · snoozed, {0} left: {1}</source>
        <translation> · 暂缓中，剩余 {0}：{1}</translation>
    </message>
    <message numerus="yes">
        <source>+%n more waiting</source>
        <translation>
            <numerusform>另有 %n 起待确认</numerusform>
        </translation>
    </message>
    <message>
        <source>A P1 alarm cannot be silenced: acknowledge it</source>
        <translation>P1 警报不能静音：请确认</translation>
    </message>
    <message>
        <source>Check in ({0})</source>
        <translation>签到（{0}）</translation>
    </message>
    <message>
        <source>Night check-in: press {0} to show you are at the desk</source>
        <translation>夜间签到：请按 {0} 表明您在岗</translation>
    </message>
    <message>
        <source>No alarm is waiting.</source>
        <translation>当前没有待确认的警报。</translation>
    </message>
    <message>
        <source>Not acknowledged: {0}</source>
        <translation>未能确认：{0}</translation>
    </message>
    <message>
        <source>Acknowledged: {0} · by {1} after {2}</source>
        <translation>已确认：{0} · {1} · 用时 {2}</translation>
    </message>
    <message>
        <source>Snooze the alarm</source>
        <translation>暂缓警报</translation>
    </message>
    <message>
        <source>{0}: for how long, and why may it wait? (kept in the record)</source>
        <translation>{0}：暂缓多久，为什么可以等待？（将记入处置记录）</translation>
    </message>
    <message>
        <source>{0} minutes</source>
        <translation>{0} 分钟</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Snooze</source>
        <translation>暂缓</translation>
    </message>
    <message>
        <source>Not snoozed: {0}</source>
        <translation>未能暂缓：{0}</translation>
    </message>
    <message>
        <source>Snoozed for {0} minutes: {1}</source>
        <translation>已暂缓 {0} 分钟：{1}</translation>
    </message>
    <message>
        <source>Checked in at {0}</source>
        <translation>已于 {0} 签到</translation>
    </message>
</context>
<context>
    <name>AlarmClass</name>
    <message>
        <source>LIFE</source>
        <extracomment>the green confirmation stays this long</extracomment>
        <translation>生命警报</translation>
    </message>
    <message>
        <source>FIRE</source>
        <translation>火情警报</translation>
    </message>
    <message>
        <source>CHECK-IN MISSED</source>
        <translation>未签到</translation>
    </message>
    <message>
        <source>SECURITY</source>
        <translation>安防警报</translation>
    </message>
    <message>
        <source>WELFARE</source>
        <translation>关怀提醒</translation>
    </message>
    <message>
        <source>REQUEST</source>
        <translation>居民诉求</translation>
    </message>
</context>
<context>
    <name>AlarmSettingsDialog</name>
    <message>
        <source>Alarm settings</source>
        <translation>警报设置</translation>
    </message>
    <message>
        <source>The system&apos;s default output</source>
        <translation>系统默认输出</translation>
    </message>
    <message>
        <source>{0} (not found now)</source>
        <translation>{0}（当前未找到）</translation>
    </message>
    <message>
        <source>Test the alarm</source>
        <translation>测试警报</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <source>Output device</source>
        <translation>输出设备</translation>
    </message>
    <message>
        <source>At this volume an alarm may not be heard across the room.</source>
        <translation>此音量下，房间另一端可能听不到警报。</translation>
    </message>
</context>
<context>
    <name>AudioFailureBanner</name>
    <message>
        <source>AUDIO ALARM NOT WORKING: {0}. Alarms are shown on screen only — watch the desk.</source>
        <translation>声音报警失效：{0}。警报只在屏幕上显示——请留意值班台。</translation>
    </message>
</context>
<context>
    <name>CallbackResult</name>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Not satisfied (back to the assignee)</source>
        <translation>不满意（退回承办人）</translation>
    </message>
    <message>
        <source>Could not be reached</source>
        <translation>联系不上</translation>
    </message>
</context>
<context>
    <name>CaseRefusal</name>
    <message>
        <source>it is not even signed for yet</source>
        <translation>尚未签收</translation>
    </message>
    <message>
        <source>it is not assigned, answered, its outcome recorded or the resident called back</source>
        <translation>尚未交办、答复、登记办理结果，也未回访居民</translation>
    </message>
    <message>
        <source>the resident has not been answered, the outcome is not recorded and there was no call-back</source>
        <translation>尚未答复居民，未登记办理结果，也未回访</translation>
    </message>
    <message>
        <source>the outcome is not recorded and the resident has not been called back</source>
        <translation>尚未登记办理结果，也未回访居民</translation>
    </message>
    <message>
        <source>the resident has not been called back (asked whether they are satisfied)</source>
        <translation>尚未回访居民（询问是否满意）</translation>
    </message>
    <message>
        <source>it is already closed</source>
        <translation>已经办结</translation>
    </message>
</context>
<context>
    <name>CaseVerb</name>
    <message>
        <source>sign for</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>assign</source>
        <translation>交办</translation>
    </message>
    <message>
        <source>answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>record the outcome of</source>
        <translation>登记办理结果</translation>
    </message>
    <message>
        <source>call back about</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>close</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>reopen</source>
        <translation>重新打开</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Your password was set by someone else: choose your own now.</source>
        <translation>您的密码由他人设置：请现在设置您自己的密码。</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>New password again</source>
        <translation>再次输入新密码</translation>
    </message>
    <message>
        <source>At least 10 characters, letters and digits, not your user name.</source>
        <translation>至少 10 个字符，包含字母和数字，且不能包含用户名。</translation>
    </message>
    <message>
        <source>The two new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
    <message>
        <source>Not changed: {0}</source>
        <translation>未能修改：{0}</translation>
    </message>
</context>
<context>
    <name>DeskLock</name>
    <message>
        <source>Lock the desk</source>
        <translation>锁定值班台</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Still locked: {0}</source>
        <translation>仍处于锁定：{0}</translation>
    </message>
    <message>
        <source>Change operator</source>
        <translation>更换操作员</translation>
    </message>
</context>
<context>
    <name>DeskWindow</name>
    <message>
        <source>Duty Desk — community command center</source>
        <translation>社区值班台 — 社区指挥中心</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All priorities</source>
        <translation>全部级别</translation>
    </message>
    <message>
        <source>All grids</source>
        <translation>全部网格</translation>
    </message>
    <message>
        <source>Search title, place, person, number…</source>
        <translation>搜索标题、地点、当事人、编号…</translation>
    </message>
    <message>
        <source>Feeds</source>
        <translation>数据源</translation>
    </message>
    <message>
        <source>Open incidents</source>
        <translation>待处置事件</translation>
    </message>
    <message>
        <source>Data problems</source>
        <translation>数据问题</translation>
    </message>
    <message>
        <source>Staff and teams</source>
        <translation>人员与队伍</translation>
    </message>
    <message>
        <source>The database refuses to write: new events are held, not acknowledged, and tried again every few seconds. Call technical support. ({0})</source>
        <translation>数据库拒绝写入：新事件暂存在值班台、尚未确认，每隔几秒重试一次。请联系技术支持。（{0}）</translation>
    </message>
    <message numerus="yes">
        <source>%n P1 incident(s) not acknowledged</source>
        <translation>
            <numerusform>%n 起 P1 事件未确认</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Open incidents: %n</source>
        <translation>
            <numerusform>待处置事件：%n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Data problems: %n</source>
        <translation>
            <numerusform>数据问题：%n</numerusform>
        </translation>
    </message>
    <message>
        <source>Events stored this session: {0}; quarantined: {1}</source>
        <translation>本次运行已接收事件 {0} 条；无效已隔离 {1} 条</translation>
    </message>
    <message>
        <source>Night check-in missed</source>
        <translation>夜间未签到</translation>
    </message>
    <message numerus="yes">
        <source>%n new alarms, first: {0}</source>
        <translation>
            <numerusform>%n 个新报警，第一个：{0}</numerusform>
        </translation>
    </message>
    <message>
        <source>Still not acknowledged after {0}: {1}</source>
        <translation>{0}后仍未确认：{1}</translation>
    </message>
    <message numerus="yes">
        <source>%n alarms still not acknowledged, first after {0}: {1}</source>
        <translation>
            <numerusform>%n 个报警仍未确认，第一个已等 {0}：{1}</numerusform>
        </translation>
    </message>
    <message>
        <source>Duty Desk alarm</source>
        <translation>值班台警报</translation>
    </message>
    <message>
        <source>Escalated to the shift lead: {0}</source>
        <translation>已上报值班长：{0}</translation>
    </message>
    <message>
        <source>Alarm test played — did you hear it?</source>
        <translation>已播放测试警报——您听到了吗？</translation>
    </message>
    <message>
        <source>Alarm volume {0} %, output: {1}</source>
        <translation>警报音量 {0}%，输出：{1}</translation>
    </message>
    <message>
        <source>the system&apos;s default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>&amp;Alarm</source>
        <translation>警报(&amp;A)</translation>
    </message>
    <message>
        <source>Test the alarm</source>
        <translation>测试警报</translation>
    </message>
    <message>
        <source>Alarm settings…</source>
        <translation>警报设置…</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Theme by the clock (night 19:00–07:00)</source>
        <translation>按时间切换主题（19:00–07:00 夜间）</translation>
    </message>
    <message>
        <source>Day theme</source>
        <translation>日间主题</translation>
    </message>
    <message>
        <source>Night theme</source>
        <translation>夜间主题</translation>
    </message>
    <message>
        <source>&amp;Operator</source>
        <translation>操作员(&amp;O)</translation>
    </message>
    <message>
        <source>Change operator…</source>
        <translation>更换操作员…</translation>
    </message>
    <message>
        <source>Change password…</source>
        <translation>修改密码…</translation>
    </message>
    <message>
        <source>Change operator</source>
        <translation>更换操作员</translation>
    </message>
    <message>
        <source>S&amp;hift</source>
        <translation>值班(&amp;H)</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <source>Shift log</source>
        <translation>值班日志</translation>
    </message>
</context>
<context>
    <name>DirectoryImportDialog</name>
    <message>
        <source>the file is empty</source>
        <translation>文件是空的</translation>
    </message>
    <message>
        <source>cannot read {0}: {1}</source>
        <translation>无法读取 {0}：{1}</translation>
    </message>
    <message>
        <source>no 姓名 (name) column</source>
        <translation>缺少“姓名”列</translation>
    </message>
    <message>
        <source>no 编号 (ref) column</source>
        <translation>缺少“编号”列</translation>
    </message>
    <message>
        <source>no rows under the header</source>
        <translation>表头下没有数据行</translation>
    </message>
    <message>
        <source>编号 (ref) is empty</source>
        <translation>编号为空</translation>
    </message>
    <message>
        <source>编号 {0} repeats row {1}</source>
        <translation>编号 {0} 与第 {1} 行重复</translation>
    </message>
    <message>
        <source>姓名 (name) is empty</source>
        <translation>姓名为空</translation>
    </message>
    <message>
        <source>类型 (kind) {0!r} is not 老人, 工作人员 or 队伍</source>
        <translation>类型“{0}”不是老人、工作人员或队伍</translation>
    </message>
    <message>
        <source>电话 {0!r} is not a phone number</source>
        <translation>电话“{0}”不是有效的电话号码</translation>
    </message>
    <message>
        <source>身份证号 is not a valid ID number (length or check digit)</source>
        <translation>身份证号无效（位数或校验位不对）</translation>
    </message>
    <message>
        <source>出生年份 {0!r} is not a year</source>
        <translation>出生年份“{0}”不是有效年份</translation>
    </message>
    <message>
        <source>岗位 {0!r} is not 网格员 or 巡逻</source>
        <translation>岗位“{0}”不是网格员或巡逻</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Import directory</source>
        <translation>导入名册</translation>
    </message>
    <message>
        <source>Elders, staff and teams from a CSV or Excel file (the first row names the columns: 编号, 类型, 姓名, 电话, 住址, …). Nothing is written until every row is good.</source>
        <translation>从 CSV 或 Excel 文件导入老人、工作人员和队伍（第一行为列名：编号、类型、姓名、电话、住址……）。所有行都无误之前不会写入任何内容。</translation>
    </message>
    <message>
        <source>Choose a file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <source>Ref</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Name / problem</source>
        <translation>姓名 / 问题</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Choose a file first.</source>
        <translation>请先选择文件。</translation>
    </message>
    <message>
        <source>Directory file</source>
        <translation>名册文件</translation>
    </message>
    <message>
        <source>Directory files (*.csv *.xlsx);;All files (*)</source>
        <translation>名册文件 (*.csv *.xlsx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>elder</source>
        <translation>老人</translation>
    </message>
    <message>
        <source>staff</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <source>team</source>
        <translation>队伍</translation>
    </message>
    <message>
        <source>bad row</source>
        <translation>错误行</translation>
    </message>
    <message>
        <source>will be changed</source>
        <translation>将更新</translation>
    </message>
    <message>
        <source>will be added</source>
        <translation>将新增</translation>
    </message>
    <message numerus="yes">
        <source>%n bad row(s): nothing can be imported. Fix them in the file and choose it again.</source>
        <translation>
            <numerusform>%n 个错误行：无法导入。请在文件中修正后重新选择。</numerusform>
        </translation>
    </message>
    <message>
        <source>The file holds no rows to import.</source>
        <translation>文件中没有可导入的行。</translation>
    </message>
    <message>
        <source>Ready: {0} to add, {1} to change.</source>
        <translation>可以导入：新增 {0} 条，更新 {1} 条。</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Columns ignored: {0}</source>
        <translation>忽略的列：{0}</translation>
    </message>
    <message>
        <source>Write every row in one go.</source>
        <translation>一次性写入所有行。</translation>
    </message>
    <message>
        <source>Imported.</source>
        <translation>已导入。</translation>
    </message>
    <message>
        <source>Nothing can be imported while a row is bad.</source>
        <translation>存在错误行时无法导入。</translation>
    </message>
    <message>
        <source>Nothing was imported: a row is bad.</source>
        <translation>未导入任何内容：存在错误行。</translation>
    </message>
    <message>
        <source>Nothing was imported: {0}</source>
        <translation>未导入任何数据：{0}</translation>
    </message>
    <message>
        <source>Imported from {0}: {1} added, {2} changed.</source>
        <translation>已从 {0} 导入：新增 {1} 条，更新 {2} 条。</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <source>Dispatch #{0}</source>
        <translation>派单 #{0}</translation>
    </message>
    <message>
        <source>place unknown</source>
        <translation>地点不明</translation>
    </message>
    <message>
        <source>{0} — {1} — {2}</source>
        <translation>{0} — {1} — {2}</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>推荐理由</translation>
    </message>
    <message>
        <source>Duty status of the selected:</source>
        <translation>所选人员的在岗状态：</translation>
    </message>
    <message>
        <source>Task summary (the field app shows it):</source>
        <translation>任务说明（显示在外勤端）：</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>#{0} {1}</source>
        <translation>#{0} {1}</translation>
    </message>
    <message>
        <source>Nobody in the directory can be sent (no grid workers or teams known).</source>
        <translation>通讯录中没有可派的人（没有网格员或巡逻队的资料）。</translation>
    </message>
    <message>
        <source>Could not set the duty status: {0}</source>
        <translation>无法设置在岗状态：{0}</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
    <message>
        <source>{0} is off duty. Dispatch anyway?</source>
        <translation>{0}不在岗，仍然派单？</translation>
    </message>
    <message>
        <source>Dispatch anyway</source>
        <translation>仍然派单</translation>
    </message>
    <message>
        <source>Could not dispatch: {0}</source>
        <translation>派单失败：{0}</translation>
    </message>
    <message>
        <source>The field platform refused the task: {0}</source>
        <translation>外勤平台拒绝了任务：{0}</translation>
    </message>
</context>
<context>
    <name>DutyStatus</name>
    <message>
        <source>On duty</source>
        <translation>在岗</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>不在岗</translation>
    </message>
</context>
<context>
    <name>ElderCardWidget</name>
    <message>
        <source>Close the card</source>
        <extracomment>zoom used when the map centres on something (metres per pixel) marker styles, bottom to top</extracomment>
        <translation>关闭卡片</translation>
    </message>
    <message>
        <source>Age: {0}</source>
        <translation>年龄：{0}</translation>
    </message>
    <message>
        <source>none recorded</source>
        <translation>无记录</translation>
    </message>
    <message>
        <source>Conditions: {0}</source>
        <translation>健康状况：{0}</translation>
    </message>
    <message>
        <source>Wandering watch: safe zone drawn on the map</source>
        <translation>走失监护：安全区为地图上手绘区域</translation>
    </message>
    <message>
        <source>Wandering watch: safe zone {0} m around home</source>
        <translation>防走失关注：安全区为住址周边 {0} 米</translation>
    </message>
    <message>
        <source>Wandering watch</source>
        <translation>防走失关注</translation>
    </message>
    <message>
        <source>Contact: {0} {1} {2}</source>
        <translation>联系人：{0} {1} {2}</translation>
    </message>
    <message>
        <source>Wristband battery: {0}%</source>
        <translation>手环电量：{0}%</translation>
    </message>
    <message>
        <source>Wristband battery: unknown</source>
        <translation>手环电量：未知</translation>
    </message>
    <message>
        <source>Wristband: {0}</source>
        <translation>手环：{0}</translation>
    </message>
    <message>
        <source>Last seen: {0} ({1} ago)</source>
        <translation>最后定位：{0}（{1}前）</translation>
    </message>
    <message>
        <source>Last seen: never</source>
        <translation>最后定位：无</translation>
    </message>
    <message>
        <source>Open incidents:</source>
        <translation>未结事件：</translation>
    </message>
    <message>
        <source>No open incidents</source>
        <translation>无未结事件</translation>
    </message>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n 秒</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n 小时</numerusform>
        </translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>not worn</source>
        <translation>未佩戴</translation>
    </message>
    <message>
        <source>battery low</source>
        <translation>电量低</translation>
    </message>
    <message>
        <source>charging</source>
        <translation>充电中</translation>
    </message>
</context>
<context>
    <name>EventType</name>
    <message>
        <source>Fall</source>
        <translation>跌倒</translation>
    </message>
    <message>
        <source>SOS</source>
        <translation>SOS</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>诉求</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>档案</translation>
    </message>
</context>
<context>
    <name>FeedHealthModel</name>
    <message>
        <source>{0} s ago</source>
        <translation>{0} 秒前</translation>
    </message>
    <message>
        <source>{0} min ago</source>
        <translation>{0} 分钟前</translation>
    </message>
    <message>
        <source>{0} h {1} min ago</source>
        <translation>{0} 小时 {1} 分钟前</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>数据源</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Gaps</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>Protocol errors</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <source>Last event</source>
        <translation>最近事件</translation>
    </message>
    <message>
        <source>stream {0}</source>
        <translation>数据流 {0}</translation>
    </message>
</context>
<context>
    <name>FeedState</name>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>live</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>DOWN — reconnecting</source>
        <translation>中断·重连中</translation>
    </message>
    <message>
        <source>DOWN — authentication failed</source>
        <translation>认证失败</translation>
    </message>
    <message>
        <source>DOWN — stalled</source>
        <translation>无数据·已断开</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
</context>
<context>
    <name>GrievanceCategory</name>
    <message>
        <source>Safety hazard</source>
        <translation>安全隐患</translation>
    </message>
    <message>
        <source>Elderly care</source>
        <translation>养老服务</translation>
    </message>
    <message>
        <source>Repairs</source>
        <translation>报修</translation>
    </message>
    <message>
        <source>Noise</source>
        <translation>噪音</translation>
    </message>
    <message>
        <source>Sanitation</source>
        <translation>环境卫生</translation>
    </message>
    <message>
        <source>Animals</source>
        <translation>动物扰民</translation>
    </message>
    <message>
        <source>Parking</source>
        <translation>停车</translation>
    </message>
    <message>
        <source>Neighbours</source>
        <translation>邻里纠纷</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>GrievanceStatus</name>
    <message>
        <source>To be signed for</source>
        <translation>待签收</translation>
    </message>
    <message>
        <source>Signed for</source>
        <translation>已签收</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>已交办</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已答复</translation>
    </message>
    <message>
        <source>Awaiting call-back</source>
        <translation>待回访</translation>
    </message>
    <message>
        <source>Called back</source>
        <translation>已回访</translation>
    </message>
    <message>
        <source>Case closed</source>
        <translation>已办结</translation>
    </message>
</context>
<context>
    <name>HandoverDialog</name>
    <message>
        <source>Hand over the shift</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>What the next shift must know</source>
        <translation>下一班需要知道的事项</translation>
    </message>
    <message>
        <source>Outgoing lead</source>
        <translation>交班值班长</translation>
    </message>
    <message>
        <source>Incoming lead</source>
        <translation>接班值班长</translation>
    </message>
    <message>
        <source>Handover notes</source>
        <translation>交班说明</translation>
    </message>
    <message>
        <source>Hand over and write the report</source>
        <translation>交班并生成报告</translation>
    </message>
</context>
<context>
    <name>IncidentActions</name>
    <message>
        <source>Acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Say that the desk has seen the incident (stops the first clock)</source>
        <translation>表示值班台已看到此事件（停止确认计时）</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>Send a grid worker or patrol team (suggests who)</source>
        <translation>派网格员或巡逻队（给出推荐人选）</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>召回</translation>
    </message>
    <message>
        <source>Withdraw a running task, with a reason</source>
        <translation>撤回进行中的任务（需填写原因）</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Add a note to the record (notes are never changed)</source>
        <translation>在记录中添加备注（备注不可修改）</translation>
    </message>
    <message>
        <source>Escalate</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>Hand the incident up (police, fire, 120, the leader on call)</source>
        <translation>上报（110、119、120 或值班领导）</translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation>误报</translation>
    </message>
    <message>
        <source>Mark the incident as a false alarm</source>
        <translation>将此事件标记为误报</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>Record the outcome and resolve</source>
        <translation>记录处置结果并办结</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close a resolved incident or a false alarm</source>
        <translation>关闭已处置或误报的事件</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>Open a resolved or closed incident again</source>
        <translation>重新打开已处置或已关闭的事件</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Join this incident into another open one</source>
        <translation>将此事件并入另一个未结事件</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>Answer the resident through the channel the request came in on</source>
        <translation>通过诉求来源渠道答复居民</translation>
    </message>
    <message>
        <source>Categorise</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>File the request under another category (its priority follows)</source>
        <translation>把诉求归入另一类别（优先级随之调整）</translation>
    </message>
    <message>
        <source>Record outcome</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Record what came of the request, once the resident was answered</source>
        <translation>答复居民后，登记诉求的办理结果</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Ask the resident whether they are satisfied (a request closes only after it)</source>
        <translation>询问居民是否满意（回访后才能办结）</translation>
    </message>
    <message>
        <source>Shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Show this list of keys</source>
        <translation>显示本快捷键列表</translation>
    </message>
    <message>
        <source>Space</source>
        <extracomment>the name of the space bar, as the sheet and the buttons show it</extracomment>
        <translation>空格</translation>
    </message>
</context>
<context>
    <name>IncidentKind</name>
    <message>
        <source>Fall</source>
        <translation>跌倒</translation>
    </message>
    <message>
        <source>SOS call</source>
        <translation>SOS 呼救</translation>
    </message>
    <message>
        <source>Fire</source>
        <translation>火警</translation>
    </message>
    <message>
        <source>Smoke</source>
        <translation>烟感</translation>
    </message>
    <message>
        <source>Gas leak</source>
        <translation>燃气泄漏</translation>
    </message>
    <message>
        <source>Trapped in lift</source>
        <translation>电梯困人</translation>
    </message>
    <message>
        <source>Door forced</source>
        <translation>强行开门</translation>
    </message>
    <message>
        <source>Face watch list</source>
        <translation>人脸布控</translation>
    </message>
    <message>
        <source>Vehicle watch list</source>
        <translation>车辆布控</translation>
    </message>
    <message>
        <source>Intrusion</source>
        <translation>周界入侵</translation>
    </message>
    <message>
        <source>Door held open</source>
        <translation>门未关闭</translation>
    </message>
    <message>
        <source>Water leak</source>
        <translation>漏水</translation>
    </message>
    <message>
        <source>Device tampered</source>
        <translation>设备被拆</translation>
    </message>
    <message>
        <source>Camera offline</source>
        <translation>摄像头离线</translation>
    </message>
    <message>
        <source>Other alarm</source>
        <translation>其他告警</translation>
    </message>
    <message>
        <source>Wristband offline</source>
        <translation>手环离线</translation>
    </message>
    <message>
        <source>Wristband not worn</source>
        <translation>手环未佩戴</translation>
    </message>
    <message>
        <source>Wristband battery low</source>
        <translation>手环电量低</translation>
    </message>
    <message>
        <source>Resident request</source>
        <translation>居民诉求</translation>
    </message>
    <message>
        <source>Left the safe zone</source>
        <translation>走失预警</translation>
    </message>
</context>
<context>
    <name>IncidentPanel</name>
    <message>
        <source> or </source>
        <translation>”或“</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Cannot {0} this incident: it is {1} (only when it is {2}).</source>
        <translation>无法{0}此事件：当前为“{1}”（仅在“{2}”时可以）。</translation>
    </message>
    <message>
        <source>Resolving needs an outcome.</source>
        <translation>办结需要选择处置结果。</translation>
    </message>
    <message>
        <source>A note needs some text.</source>
        <translation>备注不能为空。</translation>
    </message>
    <message>
        <source>A reply needs some text.</source>
        <translation>答复不能为空。</translation>
    </message>
    <message>
        <source>An incident cannot be merged into itself.</source>
        <translation>事件不能并入自身。</translation>
    </message>
    <message>
        <source>Refused: {0}</source>
        <translation>被拒绝：{0}</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0} 小时 {1} 分</translation>
    </message>
    <message>
        <source>{0} d {1} h</source>
        <translation>{0} 天 {1} 小时</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Task / update</source>
        <translation>任务 / 进展</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>What</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>处置记录</translation>
    </message>
    <message>
        <source>No incident selected.</source>
        <translation>未选择事件。</translation>
    </message>
    <message>
        <source>{0} (×{1})</source>
        <translation>{0}（×{1}）</translation>
    </message>
    <message>
        <source>place unknown</source>
        <translation>地点不明</translation>
    </message>
    <message>
        <source>{0} — merged into #{1}</source>
        <translation>{0} — 已并入 #{1}</translation>
    </message>
    <message>
        <source>{0} — outcome: {1}</source>
        <translation>{0} — 结果：{1}</translation>
    </message>
    <message>
        <source>Open for {0}</source>
        <translation>已持续 {0}</translation>
    </message>
    <message>
        <source>SLA: no clock running</source>
        <translation>时限：无计时</translation>
    </message>
    <message>
        <source>SLA {0} by {1}: overdue {2}</source>
        <translation>时限 {0} {1} 前：已超时 {2}</translation>
    </message>
    <message>
        <source>SLA {0} by {1}: {2} left</source>
        <translation>时限 {0} {1} 前：剩余 {2}</translation>
    </message>
    <message>
        <source>Resident&apos;s request</source>
        <translation>居民诉求</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Cannot close this request: {0}.</source>
        <translation>无法办结此诉求：{0}。</translation>
    </message>
    <message>
        <source>Cannot {0} this request: it is {1} (only when it is {2}).</source>
        <translation>此诉求无法{0}：当前为“{1}”（仅在“{2}”时可以）。</translation>
    </message>
    <message>
        <source>A request is not resolved like an alarm: record its outcome, call back, then close it.</source>
        <translation>诉求不按报警办结：先登记办理结果，回访居民，然后办结。</translation>
    </message>
    <message>
        <source>An outcome needs some text.</source>
        <translation>办理结果不能为空。</translation>
    </message>
    <message>
        <source>A closed request cannot be categorised (reopen it first).</source>
        <translation>已办结的诉求不能改类别（请先重新打开）。</translation>
    </message>
    <message>
        <source>Request case</source>
        <extracomment>a task still not accepted this long after it was sent is flagged for re-dispatch</extracomment>
        <translation>诉求工单</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>工单状态</translation>
    </message>
    <message>
        <source>Sign for by</source>
        <translation>签收时限</translation>
    </message>
    <message>
        <source>Answer by</source>
        <translation>答复时限</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <source>Call-back</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Came in as: {0}</source>
        <translation>原类别：{0}</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>尚未回访</translation>
    </message>
    <message>
        <source>{0} — done {1}</source>
        <translation>{0} 前 — 已于 {1} 完成</translation>
    </message>
    <message>
        <source>{0} — overdue {1}</source>
        <translation>{0} 前 — 已超时 {1}</translation>
    </message>
    <message>
        <source>{0} — {1} left</source>
        <translation>{0} 前 — 剩余 {1}</translation>
    </message>
    <message>
        <source>sign for</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>answer</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>NOT ACCEPTED for {0} — dispatch again</source>
        <translation>{0}未接单——请改派</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>反映人</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Site</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Cleared at the source</source>
        <translation>源头已解除</translation>
    </message>
    <message>
        <source>Elder</source>
        <translation>老人</translation>
    </message>
    <message>
        <source>{0} (no profile on file)</source>
        <translation>{0}（无档案）</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>{0} years (born {1})</source>
        <translation>{0} 岁（{1} 年生）</translation>
    </message>
    <message>
        <source>Conditions</source>
        <translation>病史</translation>
    </message>
    <message>
        <source>Emergency contacts</source>
        <translation>紧急联系人</translation>
    </message>
    <message>
        <source>battery {0}</source>
        <translation>电量 {0}</translation>
    </message>
    <message>
        <source>Wristband</source>
        <translation>手环</translation>
    </message>
    <message>
        <source>Last position</source>
        <translation>最近位置</translation>
    </message>
    <message>
        <source>{0:.5f}, {1:.5f} at {2} ({3} ago)</source>
        <translation>{0:.5f}, {1:.5f}，{2}（{3} 前）</translation>
    </message>
    <message>
        <source>none received</source>
        <translation>尚未收到</translation>
    </message>
    <message>
        <source>Revealed</source>
        <translation>已查看明文</translation>
    </message>
    <message>
        <source>by {0}, reason: {1}</source>
        <translation>查看人 {0}，理由：{1}</translation>
    </message>
    <message>
        <source>Reveal…</source>
        <translation>查看明文…</translation>
    </message>
    <message>
        <source>Show the name, address and phone numbers in full (asks for a reason; audited)</source>
        <translation>显示完整的姓名、地址和电话号码（需填写理由，记入审计）</translation>
    </message>
    <message>
        <source>Reveal the personal data of {0}</source>
        <translation>查看 {0} 的个人信息明文</translation>
    </message>
    <message>
        <source>Why do you need the name, address and phone numbers in full? The reason goes into the audit trail with your name.</source>
        <translation>为什么需要查看完整的姓名、地址和电话号码？理由将连同您的姓名记入审计记录。</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>查看明文</translation>
    </message>
    <message>
        <source>A reveal needs a reason of at least {0} characters (what it is for).</source>
        <translation>查看明文需要至少 {0} 个字的理由（用途）。</translation>
    </message>
    <message>
        <source>Personal data of {0} revealed (audited).</source>
        <translation>已显示 {0} 的个人信息明文（已记入审计）。</translation>
    </message>
    <message>
        <source>No task sent yet</source>
        <translation>尚未派单</translation>
    </message>
    <message>
        <source>Notes ({0})</source>
        <translation>备注（{0}）</translation>
    </message>
    <message>
        <source>Failed: {0}</source>
        <translation>操作失败：{0}</translation>
    </message>
    <message>
        <source>The field platform refused: {0}</source>
        <translation>外勤平台拒绝：{0}</translation>
    </message>
    <message>
        <source>Acknowledged.</source>
        <translation>已确认。</translation>
    </message>
    <message>
        <source>Escalated.</source>
        <translation>已升级。</translation>
    </message>
    <message>
        <source>Marked as a false alarm.</source>
        <translation>已标记为误报。</translation>
    </message>
    <message>
        <source>Closed.</source>
        <translation>已关闭。</translation>
    </message>
    <message>
        <source>Reopened.</source>
        <translation>已重新打开。</translation>
    </message>
    <message>
        <source>Resolve #{0}</source>
        <translation>办结 #{0}</translation>
    </message>
    <message>
        <source>What was the outcome?</source>
        <translation>处置结果是什么？</translation>
    </message>
    <message>
        <source>Note (optional):</source>
        <translation>备注（可选）：</translation>
    </message>
    <message>
        <source>Resolved: {0}.</source>
        <translation>已办结：{0}。</translation>
    </message>
    <message>
        <source>Note on #{0}</source>
        <translation>#{0} 的备注</translation>
    </message>
    <message>
        <source>Notes are kept as written.</source>
        <translation>备注保存后不可修改。</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>Note added.</source>
        <translation>已添加备注。</translation>
    </message>
    <message>
        <source>Reply on #{0}</source>
        <translation>答复 #{0}</translation>
    </message>
    <message>
        <source>The resident gets this through the channel the request came in on.</source>
        <translation>居民将通过诉求来源渠道收到此答复。</translation>
    </message>
    <message>
        <source>Reply:</source>
        <translation>答复：</translation>
    </message>
    <message>
        <source>Reply sent.</source>
        <translation>答复已发送。</translation>
    </message>
    <message>
        <source>Recall a task of #{0}</source>
        <translation>召回 #{0} 的任务</translation>
    </message>
    <message>
        <source>Which task?</source>
        <translation>哪个任务？</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Task {0} recalled.</source>
        <translation>任务 {0} 已召回。</translation>
    </message>
    <message>
        <source>There is no other open incident to merge into.</source>
        <translation>没有其他未结事件可以合并。</translation>
    </message>
    <message>
        <source>Merge #{0}</source>
        <translation>合并 #{0}</translation>
    </message>
    <message>
        <source>Join #{0} into which incident? It closes; its events move over.</source>
        <translation>将 #{0} 并入哪个事件？并入后它将关闭，事件记录一并转入。</translation>
    </message>
    <message>
        <source>Merged into #{0}.</source>
        <translation>已并入 #{0}。</translation>
    </message>
    <message>
        <source>Dispatched to {0} ({1}).</source>
        <translation>已派单给 {0}（{1}）。</translation>
    </message>
    <message>
        <source>Only a resident&apos;s request has a case.</source>
        <translation>只有居民诉求才有工单。</translation>
    </message>
    <message>
        <source>Categorise #{0}</source>
        <translation>#{0} 分类</translation>
    </message>
    <message>
        <source>File the request under which category? It came in as: {0}.</source>
        <translation>把诉求归入哪一类？原类别：{0}。</translation>
    </message>
    <message>
        <source>Filed under {0}.</source>
        <translation>已归入“{0}”。</translation>
    </message>
    <message>
        <source>Outcome of #{0}</source>
        <translation>#{0} 办理结果</translation>
    </message>
    <message>
        <source>What came of the request? The resident is called back about it.</source>
        <translation>诉求办理得怎么样？回访时会向居民核实。</translation>
    </message>
    <message>
        <source>Outcome:</source>
        <translation>办理结果：</translation>
    </message>
    <message>
        <source>Outcome recorded.</source>
        <translation>办理结果已登记。</translation>
    </message>
    <message>
        <source>Call-back on #{0}</source>
        <translation>#{0} 回访</translation>
    </message>
    <message>
        <source>Is the resident satisfied with how the request was handled?</source>
        <translation>居民对诉求的办理是否满意？</translation>
    </message>
    <message>
        <source>Call-back recorded: {0}.</source>
        <translation>回访已登记：{0}。</translation>
    </message>
</context>
<context>
    <name>IncidentStatus</name>
    <message>
        <source>New</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派单</translation>
    </message>
    <message>
        <source>On scene</source>
        <translation>已到场</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>已处置</translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation>误报</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
</context>
<context>
    <name>LockPanel</name>
    <message>
        <source>The desk is locked</source>
        <translation>值班台已锁定</translation>
    </message>
    <message>
        <source>Alarms still show above and F2 acknowledges them while the desk is locked.</source>
        <translation>锁定期间警报仍显示在上方，按 F2 即可确认。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Change operator…</source>
        <translation>更换操作员…</translation>
    </message>
</context>
<context>
    <name>LogAction</name>
    <message>
        <source>opened</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>acknowledged</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>dispatched</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>on scene</source>
        <translation>到场</translation>
    </message>
    <message>
        <source>recalled</source>
        <translation>召回</translation>
    </message>
    <message>
        <source>escalated</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation>办结</translation>
    </message>
    <message>
        <source>marked false alarm</source>
        <translation>标记误报</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>reopened</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>merged</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>reply</source>
        <translation>答复</translation>
    </message>
    <message>
        <source>dispatch refused</source>
        <translation>派单被拒</translation>
    </message>
    <message>
        <source>cleared at the source</source>
        <translation>源头解除</translation>
    </message>
    <message>
        <source>task accepted</source>
        <translation>任务已接单</translation>
    </message>
    <message>
        <source>task declined</source>
        <translation>任务被拒绝</translation>
    </message>
    <message>
        <source>task en route</source>
        <translation>任务已出发</translation>
    </message>
    <message>
        <source>task on scene</source>
        <translation>任务已到场</translation>
    </message>
    <message>
        <source>task completed</source>
        <translation>任务已完成</translation>
    </message>
    <message>
        <source>task unable</source>
        <translation>任务无法完成</translation>
    </message>
    <message>
        <source>task recalled</source>
        <translation>任务已召回</translation>
    </message>
    <message>
        <source>request signed for</source>
        <translation>诉求签收</translation>
    </message>
    <message>
        <source>request assigned</source>
        <translation>诉求交办</translation>
    </message>
    <message>
        <source>outcome recorded</source>
        <translation>登记办理结果</translation>
    </message>
    <message>
        <source>called back</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>categorised</source>
        <translation>改类别</translation>
    </message>
    <message>
        <source>request closed</source>
        <translation>诉求办结</translation>
    </message>
    <message>
        <source>request reopened</source>
        <translation>诉求重新打开</translation>
    </message>
</context>
<context>
    <name>LogEntryDialog</name>
    <message>
        <source>Add to the shift log</source>
        <translation>记入值班日志</translation>
    </message>
    <message>
        <source>What happened, who, what was done</source>
        <translation>发生了什么、涉及谁、如何处理</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Corrects entry {0}: {1}</source>
        <translation>更正第 {0} 条：{1}</translation>
    </message>
    <message>
        <source>Entry</source>
        <translation>内容</translation>
    </message>
</context>
<context>
    <name>MapView</name>
    <message>
        <source>Find an elder by name or number…</source>
        <translation>按姓名或编号查找老人…</translation>
    </message>
    <message>
        <source>Follow new P1</source>
        <translation>跟随新 P1</translation>
    </message>
    <message>
        <source>Centre the map on every new P1 incident</source>
        <translation>每有新的 P1 事件，地图即移到该处</translation>
    </message>
    <message>
        <source>Whole community</source>
        <translation>全社区</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <source>Draw safe zone</source>
        <translation>绘制安全区</translation>
    </message>
    <message>
        <source>Click the corners of the selected elder&apos;s safe zone on the map; it replaces home and radius</source>
        <translation>在地图上依次点击所选老人安全区的各个顶点；绘制后取代住址加半径</translation>
    </message>
    <message>
        <source>Remove drawn zone</source>
        <translation>删除手绘安全区</translation>
    </message>
    <message>
        <source>Back to home and radius from the elder&apos;s profile</source>
        <translation>恢复为老人档案中的住址加半径</translation>
    </message>
    <message>
        <source>Elder</source>
        <translation>老人</translation>
    </message>
    <message>
        <source>In an incident</source>
        <translation>事件中</translation>
    </message>
    <message>
        <source>Battery low</source>
        <translation>电量低</translation>
    </message>
    <message>
        <source>Position old</source>
        <translation>定位过时</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Grid worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>Patrol team</source>
        <translation>巡逻队</translation>
    </message>
    <message>
        <source>Drawing the safe zone of {0}: click the corners; double-click or Enter to finish, Backspace takes a corner back, Esc cancels.</source>
        <translation>正在绘制 {0} 的安全区：依次点击各顶点；双击或按回车完成，退格键撤回一个顶点，Esc 取消。</translation>
    </message>
    <message>
        <source>A safe zone needs three corners around an area; nothing saved.</source>
        <translation>安全区至少需要三个围成区域的顶点；未保存。</translation>
    </message>
    <message>
        <source>The safe zone was not saved: {0}</source>
        <translation>安全区未保存：{0}</translation>
    </message>
    <message>
        <source>{0}: back to home and radius</source>
        <translation>{0}：已恢复为住址加半径</translation>
    </message>
    <message>
        <source>{0}: safe zone saved ({1} corners)</source>
        <translation>{0}：安全区已保存（{1} 个顶点）</translation>
    </message>
    <message>
        <source>Nobody found for “{0}”</source>
        <translation>未找到“{0}”</translation>
    </message>
    <message>
        <source>{0} has no position yet</source>
        <translation>{0} 尚无定位</translation>
    </message>
</context>
<context>
    <name>OpenShiftDialog</name>
    <message>
        <source>Open a shift</source>
        <translation>接班</translation>
    </message>
    <message>
        <source>Names, separated by commas</source>
        <translation>姓名，用逗号分隔</translation>
    </message>
    <message>
        <source>Shift lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>Staff on duty</source>
        <translation>值班人员</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <source>Helped on site</source>
        <extracomment>committed changes naming this incident are re-read after this pause (bursts become one read) the age and the SLA clock tick</extracomment>
        <translation>现场协助</translation>
    </message>
    <message>
        <source>Taken to hospital / 120 called</source>
        <translation>送医 / 已呼叫 120</translation>
    </message>
    <message>
        <source>False alarm</source>
        <translation>误报</translation>
    </message>
    <message>
        <source>Device fault</source>
        <translation>设备故障</translation>
    </message>
    <message>
        <source>Could not reach</source>
        <translation>未能联系上</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>已处理</translation>
    </message>
    <message>
        <source>Referred</source>
        <translation>已转办</translation>
    </message>
    <message>
        <source>Merged into another incident</source>
        <translation>已并入其他事件</translation>
    </message>
</context>
<context>
    <name>ProblemKind</name>
    <message>
        <source>Invalid event</source>
        <translation>无效事件</translation>
    </message>
    <message>
        <source>Unreadable frame</source>
        <translation>无法解析的帧</translation>
    </message>
    <message>
        <source>Events missing</source>
        <translation>事件缺失</translation>
    </message>
    <message>
        <source>Stream reset</source>
        <translation>数据流重置</translation>
    </message>
    <message>
        <source>Authentication failed</source>
        <translation>认证失败</translation>
    </message>
    <message>
        <source>Feed silent</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>Server error</source>
        <translation>服务器报错</translation>
    </message>
    <message>
        <source>Event not stored</source>
        <translation>事件未能保存</translation>
    </message>
</context>
<context>
    <name>ProblemTableModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>数据源</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Event / seq</source>
        <translation>事件编号 / 序号</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>P</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>当事人</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>已持续</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>处置人</translation>
    </message>
    <message>
        <source>Repeats</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>{0} — NOT ACCEPTED</source>
        <translation>{0}——未接单</translation>
    </message>
    <message>
        <source>NOT ACCEPTED</source>
        <translation>未接单</translation>
    </message>
    <message>
        <source>dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>resolve</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>{0} overdue {1}</source>
        <translation>{0}超时 {1}</translation>
    </message>
    <message>
        <source>ack</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>{0} in {1}</source>
        <translation>{0}剩 {1}</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <source>missing field &apos;{0}&apos;</source>
        <translation>缺少字段 &apos;{0}&apos;</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is empty</source>
        <translation>字段 &apos;{0}&apos; 为空</translation>
    </message>
    <message>
        <source>unknown type {0}</source>
        <translation>未知的事件类型 {0}</translation>
    </message>
    <message>
        <source>&apos;time&apos; {0} is not RFC 3339 with an offset</source>
        <translation>时间 {0} 格式不对（须为带时区的 RFC 3339）</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; is {1}, not one of {2}</source>
        <translation>字段 &apos;{0}&apos; 的值 {1} 不在允许范围内（{2}）</translation>
    </message>
    <message>
        <source>&apos;{0}&apos; must be text, not {1}</source>
        <translation>字段 &apos;{0}&apos; 须为文本，而不是 {1}</translation>
    </message>
    <message>
        <source>&apos;id&apos; {0} is not 1–128 characters of A–Z a–z 0–9 . _ : -</source>
        <translation>事件编号 {0} 不合规（须为 1–128 个 A–Z a–z 0–9 . _ : - 字符）</translation>
    </message>
    <message>
        <source>{0} latitude {1} is out of range (−90 to 90)</source>
        <translation>{0} 的纬度 {1} 超出范围（−90 到 90）</translation>
    </message>
    <message>
        <source>{0} longitude {1} is out of range (−180 to 180)</source>
        <translation>{0} 的经度 {1} 超出范围（−180 到 180）</translation>
    </message>
    <message>
        <source>the database refuses to write ({0}); try again shortly</source>
        <translation>数据库暂时拒绝写入（{0}），请稍后再试</translation>
    </message>
    <message>
        <source>not JSON: {0}</source>
        <translation>不是 JSON：{0}</translation>
    </message>
    <message>
        <source>binary frame (CES/1 frames are text)</source>
        <translation>二进制帧（CES/1 只接受文本帧）</translation>
    </message>
    <message>
        <source>not a JSON object but {0}</source>
        <translation>不是 JSON 对象，而是 {0}</translation>
    </message>
    <message>
        <source>unknown op {0}</source>
        <translation>未知的操作 {0}</translation>
    </message>
    <message>
        <source>frame of {0} bytes is over the 256 KiB limit</source>
        <translation>帧大小 {0} 字节，超过 256 KiB 上限</translation>
    </message>
    <message>
        <source>events {0}–{1} never arrived</source>
        <translation>事件 {0}–{1} 未收到</translation>
    </message>
    <message>
        <source>the server no longer holds events {0}–{1}</source>
        <translation>服务器已不再保存事件 {0}–{1}</translation>
    </message>
    <message>
        <source>server stream changed from {0} to {1}: reading it again from the start</source>
        <translation>服务器数据流已从 {0} 变为 {1}：从头重新读取</translation>
    </message>
    <message>
        <source>no frame for {0} s; reconnecting</source>
        <translation>{0} 秒未收到任何数据，正在重连</translation>
    </message>
    <message>
        <source>silent for {0} s; reconnecting</source>
        <translation>{0} 秒无数据，正在重连</translation>
    </message>
    <message>
        <source>HTTP {0}: the server refused the token</source>
        <translation>HTTP {0}：服务器拒绝了令牌</translation>
    </message>
    <message>
        <source>HTTP {0}: token refused; next try in {1} s</source>
        <translation>HTTP {0}：令牌被拒绝，{1} 秒后重试</translation>
    </message>
    <message>
        <source>HTTP {0} from the server</source>
        <translation>服务器返回 HTTP {0}</translation>
    </message>
    <message>
        <source>cannot connect: {0}</source>
        <translation>无法连接：{0}</translation>
    </message>
    <message>
        <source>the server closed the stream</source>
        <translation>服务器关闭了数据流</translation>
    </message>
    <message>
        <source>connection lost</source>
        <translation>连接中断</translation>
    </message>
    <message>
        <source>connection closed: {0}</source>
        <translation>连接已关闭：{0}</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Handover report of shift {0}</source>
        <translation>第 {0} 班交接报告</translation>
    </message>
    <message>
        <source>user name of {0}</source>
        <translation>{0} 的用户名</translation>
    </message>
    <message>
        <source>user name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>I have gone through the open incidents and take them over</source>
        <translation>我已核对未结事件并接手</translation>
    </message>
    <message>
        <source>Sign as outgoing lead</source>
        <translation>交班值班长签字</translation>
    </message>
    <message>
        <source>Sign as incoming lead</source>
        <translation>接班值班长签字</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>导出 HTML…</translation>
    </message>
    <message>
        <source>Outgoing lead</source>
        <translation>交班值班长</translation>
    </message>
    <message>
        <source>Incoming lead</source>
        <translation>接班值班长</translation>
    </message>
    <message>
        <source>This report was changed after it was signed: it cannot be trusted.</source>
        <translation>该报告在签字后被改动，不可采信。</translation>
    </message>
    <message>
        <source>Signed by both leads and sealed: it can no longer change.</source>
        <translation>交接双方已签字封存，不能再修改。</translation>
    </message>
    <message>
        <source>Signed by the outgoing lead; the incoming lead signs next.</source>
        <translation>交班值班长已签字，请接班值班长签字。</translation>
    </message>
    <message>
        <source>Not signed yet.</source>
        <translation>尚未签字。</translation>
    </message>
    <message>
        <source>The incoming lead confirms the open incidents before signing.</source>
        <translation>接班值班长须先确认未结事件再签字。</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>HTML files (*.html)</source>
        <translation>HTML 文件 (*.html)</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>Written to {0}</source>
        <translation>已保存到 {0}</translation>
    </message>
</context>
<context>
    <name>ResponderKind</name>
    <message>
        <source>Grid worker</source>
        <translation>网格员</translation>
    </message>
    <message>
        <source>Patrol team</source>
        <translation>巡逻队</translation>
    </message>
</context>
<context>
    <name>ReviewModel</name>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Handed to</source>
        <translation>接班人</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation>事件数</translation>
    </message>
    <message>
        <source>P1 acknowledged ≤ 30 s</source>
        <translation>P1 30 秒内确认</translation>
    </message>
    <message>
        <source>P1 median (s)</source>
        <translation>P1 确认中位数（秒）</translation>
    </message>
    <message>
        <source>P1 p90 (s)</source>
        <translation>P1 确认 P90（秒）</translation>
    </message>
    <message>
        <source>Breaches</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>TAMPERED</source>
        <translation>已被篡改</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>已签字</translation>
    </message>
    <message>
        <source>unsigned</source>
        <translation>未签字</translation>
    </message>
</context>
<context>
    <name>ShiftDesk</name>
    <message>
        <source>Open a shift…</source>
        <translation>接班…</translation>
    </message>
    <message>
        <source>Hand over…</source>
        <translation>交班…</translation>
    </message>
    <message>
        <source>Report of this shift so far</source>
        <translation>本班当前报告</translation>
    </message>
    <message>
        <source>Review past shifts…</source>
        <translation>历史班次回顾…</translation>
    </message>
    <message>
        <source>No shift open</source>
        <translation>当前无人值班</translation>
    </message>
    <message>
        <source>On shift: {0} (lead) since {1}</source>
        <translation>值班长：{0}（{1} 起）</translation>
    </message>
</context>
<context>
    <name>ShiftLog</name>
    <message>
        <source>Acknowledged</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Feed</source>
        <translation>数据源</translation>
    </message>
    <message>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>Phone call</source>
        <translation>来电</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>来访</translation>
    </message>
    <message>
        <source>Patrol</source>
        <translation>巡查</translation>
    </message>
    <message>
        <source>Instruction</source>
        <translation>上级指示</translation>
    </message>
    <message>
        <source>Equipment</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Correction</source>
        <translation>更正</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>feed down</source>
        <translation>数据源中断</translation>
    </message>
    <message>
        <source>feed back</source>
        <translation>数据源恢复</translation>
    </message>
    <message>
        <source>events lost</source>
        <translation>事件缺失</translation>
    </message>
    <message>
        <source>shift opened</source>
        <translation>接班</translation>
    </message>
    <message>
        <source>handed over to</source>
        <translation>交班给</translation>
    </message>
    <message>
        <source>signed by the outgoing lead</source>
        <translation>交班值班长签字</translation>
    </message>
    <message>
        <source>signed by the incoming lead</source>
        <translation>接班值班长签字</translation>
    </message>
    <message>
        <source> (corrects entry {0})</source>
        <translation>（更正第 {0} 条）</translation>
    </message>
</context>
<context>
    <name>ShiftLogModel</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation>事件</translation>
    </message>
</context>
<context>
    <name>ShiftLogView</name>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>Search the shift log</source>
        <translation>搜索值班日志</translation>
    </message>
    <message>
        <source>Add entry…</source>
        <translation>添加记录…</translation>
    </message>
    <message>
        <source>Correct the selected entry…</source>
        <translation>更正所选记录…</translation>
    </message>
    <message>
        <source>Select an entry written by hand: the desk&apos;s own entries come from the record.</source>
        <translation>请选择人工记录：系统记录来自原始记录，不能更正。</translation>
    </message>
</context>
<context>
    <name>ShiftRefusal</name>
    <message>
        <source>A shift needs a lead.</source>
        <translation>开班需要填写值班长。</translation>
    </message>
    <message>
        <source>No open shift to hand over.</source>
        <translation>当前没有可交接的班次。</translation>
    </message>
    <message>
        <source>The handover needs the incoming lead.</source>
        <translation>交接需要填写接班值班长。</translation>
    </message>
    <message>
        <source>A lead cannot hand the shift over to themselves.</source>
        <translation>值班长不能把班交给自己。</translation>
    </message>
    <message>
        <source>A log entry needs some text.</source>
        <translation>值班日志需要填写内容。</translation>
    </message>
    <message>
        <source>A correction names the entry it corrects.</source>
        <translation>更正须指明所更正的记录。</translation>
    </message>
    <message>
        <source>A signature needs the signer&apos;s password.</source>
        <translation>签字需要签字人的密码。</translation>
    </message>
    <message>
        <source>The outgoing lead signs first.</source>
        <translation>须由交班值班长先签字。</translation>
    </message>
    <message>
        <source>The incoming lead signs second, not the outgoing lead again.</source>
        <translation>接班值班长须另一人签字，不能由交班值班长再签。</translation>
    </message>
    <message>
        <source>The shift of {0} is still open: hand it over first.</source>
        <translation>{0} 的班次尚未交接，请先交班。</translation>
    </message>
    <message>
        <source>Not signed: {0} is not a shift lead.</source>
        <translation>未签字：{0} 不是值班长。</translation>
    </message>
    <message>
        <source>Signed by both leads and sealed: it can no longer change.</source>
        <translation>交接双方已签字封存，不能再修改。</translation>
    </message>
    <message>
        <source>This report was changed after it was generated: not signed.</source>
        <translation>该报告生成后被改动，未签字。</translation>
    </message>
    <message>
        <source>Already signed by {0}.</source>
        <translation>已由 {0} 签字。</translation>
    </message>
    <message>
        <source>Not signed: {0}</source>
        <translation>未签字：{0}</translation>
    </message>
</context>
<context>
    <name>ShiftReviewDialog</name>
    <message>
        <source>Shift review</source>
        <translation>班次回顾</translation>
    </message>
    <message>
        <source>All leads</source>
        <translation>全部值班长</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Open report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>P1 time to acknowledge (s): median and p90</source>
        <translation>P1 确认用时（秒）：中位数与 P90</translation>
    </message>
    <message>
        <source>P1 acknowledged within 30 s and 60 s (%)</source>
        <translation>P1 30 秒、60 秒内确认率（%）</translation>
    </message>
    <message>
        <source>Incidents by class per shift</source>
        <translation>各班次分类事件数</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <source>≤ 30 s</source>
        <translation>≤ 30 秒</translation>
    </message>
    <message>
        <source>≤ 60 s</source>
        <translation>≤ 60 秒</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>紧急求助</translation>
    </message>
    <message>
        <source>Security</source>
        <translation>治安安防</translation>
    </message>
    <message>
        <source>Welfare</source>
        <translation>设备与关怀</translation>
    </message>
    <message>
        <source>Grievance</source>
        <translation>群众诉求</translation>
    </message>
    <message>
        <source>Export as CSV</source>
        <translation>导出为 CSV</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
</context>
<context>
    <name>ShortcutSheet</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>What it does</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <source>This account is disabled: ask an administrator.</source>
        <translation>此账号已停用：请联系系统管理员。</translation>
    </message>
    <message>
        <source>Nobody is signed in at this desk.</source>
        <translation>本值班台尚无人登录。</translation>
    </message>
    <message>
        <source>Locked after too many wrong passwords, until {0}.</source>
        <translation>密码错误次数过多，账号已锁定至 {0}。</translation>
    </message>
    <message>
        <source>The password needs: {0}</source>
        <translation>密码要求：{0}</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source>Signed in: {0} ({1})</source>
        <translation>当前操作员：{0}（{1}）</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in — Duty Desk</source>
        <translation>登录 — 值班台</translation>
    </message>
    <message>
        <source>Duty Desk · community command center</source>
        <translation>社区值班台 · 社区指挥中心</translation>
    </message>
    <message>
        <source>Sign in with your own account: the record names who did what.</source>
        <translation>请使用本人账号登录：记录会写明每项操作由谁完成。</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Not signed in: {0}</source>
        <translation>未能登录：{0}</translation>
    </message>
</context>
<context>
    <name>SlaStage</name>
    <message>
        <source>acknowledge</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>dispatch</source>
        <translation>派单</translation>
    </message>
    <message>
        <source>resolve</source>
        <translation>办结</translation>
    </message>
</context>
<context>
    <name>StaffBoard</name>
    <message>
        <source>Select a person or team first.</source>
        <translation>请先选择人员或队伍。</translation>
    </message>
    <message>
        <source>Could not set the duty status: {0}</source>
        <translation>无法设置值班状态：{0}</translation>
    </message>
    <message>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <source>On duty {0} · busy {1} · off duty {2}</source>
        <translation>在岗 {0} · 忙碌 {1} · 离岗 {2}</translation>
    </message>
</context>
<context>
    <name>StaffModel</name>
    <message>
        <source>Name</source>
        <extracomment>a position older than this is shown as stale (the suggestions stop trusting it too) the keys that set the selected person&apos;s status</extracomment>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Open tasks</source>
        <translation>进行中任务</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>{0} ago</source>
        <translation>{0}前</translation>
    </message>
</context>
<context>
    <name>TaskStatus</name>
    <message>
        <source>sent</source>
        <translation>已派出</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接单</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>en route</source>
        <translation>已出发</translation>
    </message>
    <message>
        <source>on scene</source>
        <translation>已到场</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>unable</source>
        <translation>无法完成</translation>
    </message>
    <message>
        <source>recalled</source>
        <translation>已召回</translation>
    </message>
</context>
<context>
    <name>TimeSpan</name>
    <message>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <source>{0} min {1} s</source>
        <translation>{0} 分 {1} 秒</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0} 小时 {1} 分</translation>
    </message>
    <message>
        <source>{0} d</source>
        <translation>{0} 天</translation>
    </message>
</context>
<context>
    <name>UsersAdminDialog</name>
    <message>
        <source>An administrator cannot disable their own account.</source>
        <translation>管理员不能停用自己的账号。</translation>
    </message>
    <message>
        <source>An administrator cannot take their own administration away.</source>
        <translation>管理员不能取消自己的管理员角色。</translation>
    </message>
    <message>
        <source>There is no user {0}.</source>
        <translation>没有用户 {0}。</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>显示名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Selected user</source>
        <translation>选中的用户</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>设置角色</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>The user must change it at the next sign-in.</source>
        <translation>该用户下次登录时必须修改密码。</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新用户</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
    <message>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>The new user must change the password at the first sign-in.</source>
        <translation>新用户首次登录时必须修改密码。</translation>
    </message>
    <message>
        <source>until {0}</source>
        <translation>至 {0}</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no (disabled)</source>
        <translation>否（已停用）</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>A new user needs a user name and a display name.</source>
        <translation>新用户需要用户名和显示名。</translation>
    </message>
    <message>
        <source>letters and digits</source>
        <translation>同时包含字母和数字</translation>
    </message>
    <message>
        <source>not the user name</source>
        <translation>不得包含用户名</translation>
    </message>
    <message>
        <source>not a common or repetitive password</source>
        <translation>不能是常见密码或重复字符</translation>
    </message>
    <message>
        <source>at least {0} characters</source>
        <translation>至少 {0} 个字符</translation>
    </message>
    <message>
        <source>The password needs: {0}</source>
        <translation>密码要求：{0}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>There is already a user {0}.</source>
        <translation>已有用户 {0}。</translation>
    </message>
    <message>
        <source>Not changed: {0}</source>
        <translation>未能修改：{0}</translation>
    </message>
    <message>
        <source>Added {0} ({1}); they must change the password at the first sign-in.</source>
        <translation>已添加 {0}（{1}）；首次登录时必须修改密码。</translation>
    </message>
    <message>
        <source>{0} is enabled.</source>
        <translation>{0} 已启用。</translation>
    </message>
    <message>
        <source>{0} is disabled: they cannot sign in.</source>
        <translation>{0} 已停用：无法登录。</translation>
    </message>
    <message>
        <source>New password for {0}: they must change it at the next sign-in.</source>
        <translation>已为 {0} 设置新密码：下次登录时必须修改。</translation>
    </message>
    <message>
        <source>{0} is now a {1}.</source>
        <translation>{0} 现在是{1}。</translation>
    </message>
</context>
</TS>
